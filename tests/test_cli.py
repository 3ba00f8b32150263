"""The command line as people and containers use it: help, docs, errors, compose commands."""

from pathlib import Path

import yaml
from click.testing import CliRunner

from schedules import clidoc
from schedules.cli import cli

REPO = Path(__file__).resolve().parents[1]


def test_every_command_has_help():
    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert command.help, f"`marsad {name}` has no help text"


def test_cli_reference_is_generated_from_help():
    documented = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented == clidoc.render(), (
        "docs/cli.md is stale: run `.venv/bin/python -m schedules.clidoc > docs/cli.md`"
    )


def test_compose_commands_exist_in_the_cli():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    runner = CliRunner()
    assert {"daemon", "datasette"} <= set(compose["services"])
    volumes = [set(s.get("volumes", [])) for s in compose["services"].values()]
    assert any(v.startswith("marsad-data:") for v in volumes[0] & volumes[1]), "no shared volume"
    for service in compose["services"].values():
        command = service["command"]
        assert command[0] == "marsad"
        # Parse the real arguments, stopping before anything runs.
        result = runner.invoke(cli, [*command[1:], "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_bad_config_is_one_line_and_exit_2(tmp_path):
    config = tmp_path / "watch.toml"
    config.write_text('[[targets]]\nurl = "https://a.example/"\nevery = "soon"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "m.db"), "--config", str(config), "check"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: config {config} line 3: `every` must be a duration like `30m`, got `soon`"
    ]


def test_unusable_database_is_one_line_and_exit_2(tmp_path):
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(cli, ["--db", str(db), "status"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: database {db}:")


def test_progress_line_counts_outcomes_and_shows_arabic_urls(capsys):
    from schedules.cli import CheckProgress
    from store.versions import CheckOutcome

    progress = CheckProgress(targets=1)
    progress.update(CheckOutcome(1, "https://a.example/?p=1", "new_version"))
    progress.update(CheckOutcome(2, "https://a.example/%D8%A7%D9%84%D8%A3%D9%85%D9%86/", "error"))
    progress.close()
    last = capsys.readouterr().err.split("\r")[-1]
    assert "checked 2 page(s) of 1 target(s): 1 error, 1 new_version" in last
    assert "https://a.example/الأمن/" in last


def test_status_says_why_a_check_failed(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "watch.toml"
    config.write_text(
        f'[defaults]\nretries = 0\nmin_delay = "0s"\n\n[[targets]]\nurl = "http://127.0.0.1:{port}/a"\n'
        "[targets.discovery]\nenabled = false\n",
        encoding="utf-8",
    )
    args = ["--db", str(tmp_path / "m.db"), "--config", str(config)]
    runner = CliRunner()
    checked = runner.invoke(cli, [*args, "check"])
    assert checked.exit_code == 0, checked.output  # a failed fetch is recorded, not fatal
    shown = runner.invoke(cli, [*args, "status"]).output
    # robots.txt cannot be read either, which RFC 9309 treats as "disallow for now": the check
    # is skipped, and status says why in one line.
    assert "(skipped)" in shown
    [why] = [line for line in shown.splitlines() if line.startswith("  why: ")]
    assert "robots.txt" in why and str(port) in why
