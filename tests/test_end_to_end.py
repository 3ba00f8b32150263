"""The thin path against the replica site: short link → article → versions → export.

One edit makes exactly one new version; noise (a comment, a repeated check) makes none.
"""

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from schedules.cli import cli

REPO = Path(__file__).resolve().parents[1]
SEED = "000_3b1ee1feec353f5c.txt"


def make_config(tmp_path: Path, base_url: str) -> Path:
    shutil.copy(REPO / "seeds" / SEED, tmp_path / SEED)
    path = tmp_path / "watch.toml"
    path.write_text(
        f'[defaults]\nmin_delay = "0s"\n\n[[targets]]\nurl = "{base_url}/?p=95655"\nseed = "{SEED}"\n'
        "[targets.discovery]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


class Marsad:
    def __init__(self, tmp_path: Path, base_url: str):
        self.args = [
            "--db",
            str(tmp_path / "marsad.db"),
            "--config",
            str(make_config(tmp_path, base_url)),
        ]
        self.runner = CliRunner()

    def __call__(self, *args: str) -> str:
        result = self.runner.invoke(cli, [*self.args, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    def versions(self) -> list[dict]:
        return json.loads(self("export", "--what", "versions", "--format", "json"))


def test_seed_article_versions_follow_real_edits_only(tmp_path, replica):
    marsad = Marsad(tmp_path, replica.base_url)

    marsad("check")
    [first] = marsad.versions()
    assert first["version"] == 1
    assert first["url"] == f"{replica.base_url}/?p=95655"
    assert first["final_url"] != first["url"], "the short link's redirect was not recorded"
    assert first["seed_similarity"] >= 0.95

    marsad("check")
    assert len(marsad.versions()) == 1

    paragraphs = replica.site.seed_paragraphs()
    replica.site.edit_paragraph(95655, 2, paragraphs[2] + " وأضاف التقرير جملة جديدة تماما")
    marsad("check")
    versions = marsad.versions()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["words_added"] == 5 and versions[1]["words_removed"] == 0

    # The terminal diff shows the inserted words; status counts the versions.
    diff = marsad("diff", f"{replica.base_url}/?p=95655")
    assert "version 1 → 2" in diff and "{+وأضاف التقرير جملة جديدة تماما+}" in diff
    assert "2 version(s)" in marsad("status")

    replica.site.add_comment(95655, "قارئ", "مقال رائع ومفيد جدا")
    marsad("check")
    assert [v["version"] for v in marsad.versions()] == [1, 2]

    fetches = json.loads(marsad("export", "--what", "fetches", "--format", "json"))
    assert [f["outcome"] for f in fetches][:2] == ["new_version", "not_modified"]
    assert fetches[2]["outcome"] == "new_version"
    assert len(fetches) == 4
    redirects = json.loads(fetches[0]["redirects"])
    assert redirects[0]["status"] == 301 and redirects[0]["url"].endswith("/?p=95655")


def test_every_nth_check_is_unconditional(tmp_path, replica):
    """A server that keeps answering 304 must not hide a change forever."""
    marsad = Marsad(tmp_path, replica.base_url)
    config = Path(marsad.args[3])
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[defaults]\n", "[defaults]\nfull_fetch_every = 3\n"
        ),
        encoding="utf-8",
    )
    for _ in range(6):
        marsad("check")
    article = [r for r in replica.requests if "/2024/" in r.path]
    conditional = ["if-none-match" in r.headers for r in article]
    # The first check has no validators yet; every third check after it goes without them.
    assert conditional == [False, True, True, False, True, True]
