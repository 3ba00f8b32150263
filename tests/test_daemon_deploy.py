"""The deployment files: what compose and systemd would run must parse in the CLI."""

import shlex
from pathlib import Path

import yaml
from click.testing import CliRunner

from schedules.cli import cli
from schedules.config import DaemonSettings

REPO = Path(__file__).resolve().parents[1]


def parses(args):
    result = CliRunner().invoke(cli, [*args, "--help"])
    return result.exit_code == 0, result.output


def test_compose_runs_the_daemon_with_health_checks_restarts_and_config_by_environment():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    daemon, datasette = compose["services"]["daemon"], compose["services"]["datasette"]
    assert daemon["command"] == ["marsad", "run", "--no-serve"]
    for service in (daemon, datasette):
        assert service["restart"] == "unless-stopped"
        assert service["environment"]["MARSAD_DB"].startswith("/data/")
        assert any(v.startswith("marsad-data:/data") for v in service["volumes"])
        assert any(v.endswith(":/app/seeds:ro") for v in service["volumes"]), (
            "watch.toml not mounted"
        )
    health = daemon["healthcheck"]["test"]
    assert health[:2] == ["CMD", "marsad"] and parses(health[2:])[0]
    assert datasette["depends_on"]["daemon"]["condition"] == "service_healthy"
    grace = int(daemon["stop_grace_period"].rstrip("s"))
    assert grace > DaemonSettings.stop_timeout, (
        "Docker would SIGKILL before in-flight checks finish"
    )


def test_systemd_unit_runs_a_real_command_and_outlasts_the_stop_timeout():
    unit = (REPO / "deploy" / "marsad.service").read_text(encoding="utf-8")
    settings = dict(
        line.split("=", 1)
        for line in unit.splitlines()
        if "=" in line and not line.startswith("#") and not line.startswith("Environment")
    )
    command = shlex.split(settings["ExecStart"])
    assert command[0].endswith("/marsad")
    ok, output = parses(command[1:])
    assert ok, output
    assert int(settings["TimeoutStopSec"]) > DaemonSettings.stop_timeout
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
