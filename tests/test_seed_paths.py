"""A seed is a file of the config's own folder: `..`, absolute paths and symlinks leading out
of it are refused in one line (issue #18, item 10)."""

from __future__ import annotations

import pytest

from schedules.config import ConfigError, load_config
from store.schema import connect
from store.seeds import sync_seeds

SEED_TEXT = "نص\nرابط مختصر.. https://example.org/?p=1\n"


def config_with_seed(tmp_path, seed: str):
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    path = folder / "watch.toml"
    path.write_text(f'[[targets]]\nurl = "https://a.example/"\nseed = "{seed}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", ["../../../../etc/passwd", "/etc/passwd", "../outside.txt"])
def test_a_seed_outside_the_seed_folder_is_refused(tmp_path, seed):
    (tmp_path / "outside.txt").write_text(SEED_TEXT, encoding="utf-8")
    path = config_with_seed(tmp_path, seed)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"config {path} line 3: `seed` must name a file inside")
    assert len(str(error.value).splitlines()) == 1


def test_a_symlink_leading_out_of_the_seed_folder_is_refused(tmp_path):
    (tmp_path / "outside.txt").write_text(SEED_TEXT, encoding="utf-8")
    path = config_with_seed(tmp_path, "link.txt")
    (path.parent / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ConfigError, match="line 3: `seed` must name a file inside"):
        load_config(path)
    db = connect(tmp_path / "m.db")
    with pytest.raises(ValueError, match="inside the seed folder"):
        sync_seeds(db, ["link.txt"], path.parent, "2025-01-01T00:00:00.000Z")
    assert db.execute("SELECT count(*) FROM seeds").fetchone()[0] == 0


def test_a_seed_in_a_subfolder_is_fine(tmp_path):
    path = config_with_seed(tmp_path, "sub/seed.txt")
    (path.parent / "sub").mkdir()
    (path.parent / "sub" / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    assert load_config(path).targets[0].seed == "sub/seed.txt"
