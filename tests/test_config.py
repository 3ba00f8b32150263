"""The watch list: defaults, durations, and errors that name the file, the line and the key."""

from pathlib import Path

import pytest

from schedules.config import ConfigError, load_config, parse_duration

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "seed.txt").write_text("نص\nرابط مختصر.. https://example.org/?p=1\n", encoding="utf-8")
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_watch_list_watches_the_seed_article_with_its_seed():
    config = load_config(REPO / "seeds" / "watch.toml")
    target = config.targets[0]
    assert target.url == "https://www.europarabct.com/?p=95655"
    assert (config.seeds_dir / target.seed).read_text(encoding="utf-8").rstrip().endswith("?p=95655")
    assert target.discovery.enabled and target.discovery.depth == 1


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("15m", 900), ("6h", 21600), ("7d", 604800), (45, 45)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_bad_duration_names_file_line_and_key(tmp_path):
    path = write(tmp_path, '[defaults]\nevery = "1h"\n\n[[targets]]\nurl = "https://a.example/"\nevery = "soon"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"config {path} line 6: `every` must be a duration like `30m`, got `soon`"
    )


def test_second_target_error_points_at_its_own_line(tmp_path):
    path = write(
        tmp_path,
        '[[targets]]\nurl = "https://a.example/"\nseed = "seed.txt"\n\n'
        '[[targets]]\nurl = "https://b.example/"\nseed = "missing.txt"\n',
    )
    with pytest.raises(ConfigError, match=r"line 7: `seed` names no file"):
        load_config(path)


def test_url_must_be_http(tmp_path):
    path = write(tmp_path, '[[targets]]\nurl = "file:///etc/passwd"\n')
    with pytest.raises(ConfigError, match=r"line 2: `url` must be an http\(s\) URL"):
        load_config(path)


def test_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "[[targets]\nurl = 1\n")
    with pytest.raises(ConfigError, match=str(path)):
        load_config(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read it"):
        load_config(tmp_path / "nope.toml")


def test_url_given_on_the_command_line_gets_default_settings(tmp_path):
    path = write(tmp_path, '[defaults]\nevery = "2h"\n')
    config = load_config(path)
    target = config.target_for("https://other.example/x")
    assert target.every == 7200 and target.seed is None and not target.discovery.enabled


def test_every_setting_is_documented():
    """docs/config.md must name every key the code reads, so the reference cannot drift."""
    from dataclasses import fields

    from schedules.config import DaemonSettings, Defaults, Discovery, Target

    documented = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    for settings in (Defaults, Target, Discovery, DaemonSettings):
        for field in fields(settings):
            if field.name != "discovery":
                assert f"`{field.name}`" in documented, f"docs/config.md lacks `{field.name}`"


def test_a_proxy_refuses_private_hosts_and_targets_given_by_private_address(tmp_path):
    path = write(
        tmp_path,
        '[defaults]\nproxy = "http://proxy.example:3128"\nprivate_hosts = ["intranet.example"]\n',
    )
    with pytest.raises(ConfigError, match="line 3: `private_hosts` cannot be used with `proxy`"):
        load_config(path)
    path = write(
        tmp_path,
        '[defaults]\nproxy = "http://proxy.example:3128"\n\n'
        '[[targets]]\nurl = "http://10.0.0.5/news/"\n',
    )
    with pytest.raises(ConfigError, match="line 5: `url` on a private address 10.0.0.5 cannot"):
        load_config(path)
    path = write(
        tmp_path,
        '[defaults]\nproxy = "http://proxy.example:3128"\n\n'
        '[[targets]]\nurl = "https://news.example/"\n',
    )
    assert load_config(path).defaults.proxy == "http://proxy.example:3128"
