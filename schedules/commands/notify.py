"""`marsad notify test [CHANNEL]` and `marsad notify list`; what `check` and `status` say of
notifications. Channels are shown by name and kind, never by their URL: it may hold a secret
once expanded, and even unexpanded it names the environment it reads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from schedules.cli import Context
    from schedules.config import Config
    from store.delivery import ChannelState

CHECK_WAIT = 3  # × send_timeout: how long `marsad check` waits for its messages to go out


def _kind(channel: object) -> str:
    from schedules.notifyconfig import Channel

    assert isinstance(channel, Channel)
    kind = "webhook" if channel.webhook else channel.url.split("://", 1)[0] + "://"
    extra = (", signed" if channel.secret else "") + (
        f", digest every {channel.digest:g} s" if channel.digest else ""
    )
    return kind + extra


def describe_state(state: ChannelState) -> str:
    last = f"last {state.last_state} at {state.last_at}" if state.last_at else "never tried"
    error = f" ({state.last_error})" if state.failing and state.last_error else ""
    return (
        f"{state.delivered} delivered, {state.waiting} waiting, {state.given_up} given up;"
        f" {last}{error}"
    )


def deliver_after_check(db_path: Path, config: Config) -> str:
    """Send what a one-shot check queued, waiting at most a few send timeouts; what is not
    sent by then stays queued for the daemon or the next check."""
    from schedules.notify import Sender
    from store import delivery
    from store.schema import connect
    from store.timestamps import iso

    sender = Sender(db_path, lambda: config.notify)
    started = sender.poll()
    finished = sender.wait(config.notify.send_timeout * CHECK_WAIT)
    db = connect(db_path)
    try:
        from datetime import UTC, datetime

        left = delivery.waiting(db)
        later = len(delivery.due_channels(db, iso(datetime.now(UTC))))
    finally:
        db.conn.close()
    report = sender.report
    parts = [f"{report.delivered} sent"]
    if report.failed or report.given_up:
        parts.append(
            f"{report.failed + report.given_up} failed ("
            + "; ".join(f"{k}: {v}" for k, v in sorted(report.errors.items()))
            + ")"
        )
    if left:
        parts.append(
            f"{left} queued"
            + ("" if finished else ", still sending")
            + (f" on {later} channel(s) due now" if later else "")
        )
    return "notifications: " + ", ".join(parts) if started or left else ""


@click.group("notify")
def notify_group() -> None:
    """Notification channels: send a test message, list them and their last result.

    Channels and rules are in the watch list ([notify.channels.NAME], [defaults.notify],
    [targets.notify]); docs/notifications.md explains them and the webhook's payload.
    """


@notify_group.command("test")
@click.argument("channel", required=False)
@click.pass_obj
def notify_test(obj: Context, channel: str | None) -> None:
    """Send a sample message to CHANNEL (or to every channel) now; one line each."""
    from schedules.cli import MarsadError
    from schedules.notify import send_test

    settings = obj.config().notify
    channels = [c for c in settings.channels if channel in (None, c.name)]
    if not channels:
        known = ", ".join(c.name for c in settings.channels) or "none configured"
        raise MarsadError(
            f"notify test: no channel {channel or ''} in {obj.config_path} (channels: {known})"
        )
    failed = 0
    for item in channels:
        problem = send_test(settings, item)
        failed += problem is not None
        click.echo(f"{item.name}: " + ("sent" if problem is None else f"failed: {problem}"))
    if failed:
        raise SystemExit(1)


@notify_group.command("list")
@click.pass_obj
def notify_list(obj: Context) -> None:
    """Each channel of the watch list, its kind, and what became of its messages."""
    from store.delivery import channel_states

    settings = obj.config().notify
    states = channel_states(obj.read_db())
    if not settings.channels and not states:
        click.echo("no channels: add [notify.channels.NAME] to the watch list")
        return
    for channel in settings.channels:
        state = states.pop(channel.name, None)
        click.echo(
            f"{channel.name} ({_kind(channel)}): "
            + (describe_state(state) if state else "nothing sent yet")
        )
    for name, state in sorted(states.items()):  # rows for a channel no longer configured
        click.echo(f"{name} (not in the watch list): {describe_state(state)}")
