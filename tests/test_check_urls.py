"""`marsad check URL…` checks the pages named and nothing more, each with the settings of the
target it belongs to: a target's discovery does not run, and the permalink of a target watched
by its short link keeps that target's ignore rules (with the defaults, an ignored edit would be
recorded as a new version)."""

from __future__ import annotations

from click.testing import CliRunner

from schedules.cli import cli

POST = 95655
IGNORED = "تحديث الساعة:"  # a line the site rewrites on every visit, ignored by the target


def run(tmp_path, *more: str) -> str:
    args = ["--db", str(tmp_path / "marsad.db"), "--config", str(tmp_path / "watch.toml")]
    result = CliRunner().invoke(cli, [*args, "check", "--no-notify", *more], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def pages(tmp_path) -> int:
    from store.schema import connect

    db = connect(tmp_path / "marsad.db")
    try:
        return int(db.execute("SELECT count(*) FROM pages").fetchone()[0])
    finally:
        db.conn.close()


def test_a_url_is_checked_alone_with_the_settings_of_its_target(tmp_path, replica):
    short_link = f"{replica.base_url}/?p={POST}"
    (tmp_path / "watch.toml").write_text(
        f'[defaults]\nmin_delay = "0s"\n\n[[targets]]\nurl = "{short_link}"\n'
        f'ignore = ["^{IGNORED}"]\n[targets.discovery]\nenabled = true\n',
        encoding="utf-8",
    )
    replica.site.edit_paragraph(POST, 1, f"{IGNORED} ١٠:٠٠")
    assert "1 new_version" in run(tmp_path, short_link)
    assert pages(tmp_path) == 1  # the target alone: its discovery did not run

    replica.site.edit_paragraph(POST, 1, f"{IGNORED} ١١:٠٠")
    said = run(tmp_path, replica.site.permalink(POST))
    assert "checked 1 page(s): 1 unchanged" in said  # the target's ignore rule held
    assert pages(tmp_path) == 1  # the same page, by another spelling
