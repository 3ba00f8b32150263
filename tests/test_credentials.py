"""A password typed into a target URL is refused where it is typed, and never reaches a
traceback, a log line or the database (issue #18, item 9)."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from schedules.cli import cli
from schedules.config import ConfigError, load_config

SECRET = "hunter2"


def test_a_target_with_credentials_is_refused_naming_file_line_and_key(tmp_path):
    path = tmp_path / "watch.toml"
    path.write_text(
        f'[defaults]\nevery = "1h"\n\n[[targets]]\nurl = "http://admin:{SECRET}@127.0.0.1:9/x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"config {path} line 5: `url` carries a user name or password")
    assert SECRET not in message and "admin" not in message
    assert "http://***@127.0.0.1:9/x" in message


def test_an_alias_with_credentials_is_refused(tmp_path):
    path = tmp_path / "watch.toml"
    path.write_text(
        f'[[targets]]\nurl = "http://a.example/"\naliases = ["u:{SECRET}@b.example"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="line 3: `aliases`") as error:
        load_config(path)
    assert SECRET not in str(error.value)


def test_check_refuses_a_url_with_credentials_and_stores_nothing(tmp_path):
    config = tmp_path / "watch.toml"
    config.write_text("", encoding="utf-8")
    db = tmp_path / "m.db"
    url = f"http://admin:{SECRET}@127.0.0.1:9/x"
    result = CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), "check", url])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "user name or password" in result.output
    assert SECRET not in result.output and result.exception.__class__.__name__ == "SystemExit"
    if db.exists():
        assert sqlite3.connect(db).execute("SELECT count(*) FROM pages").fetchone()[0] == 0


def test_credentials_are_redacted_wherever_a_url_is_shown():
    from crawler.safety import redact_credentials

    assert redact_credentials("http://a:b@h.example:8/p?q=@x") == "http://***@h.example:8/p?q=@x"
    assert redact_credentials("https://h.example/a@b") == "https://h.example/a@b"
