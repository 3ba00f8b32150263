"""Log lines for people (default) or one JSON object per line for log collectors.

Fields given as `extra={"url": ..., "outcome": ...}` become keys of the JSON object, so a log
collector can filter on `outcome` without parsing the message.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

# Everything a LogRecord carries by itself; any other attribute came in through `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every C0/C1 control character but those in `keep` written as `\\xNN`: a
    scraped page or an error body must not forge a log line (a newline) or drive a terminal
    (ESC, BEL, the C1 CSI)."""
    if text.isprintable():
        return text
    return _CONTROL.sub(
        lambda m: m.group() if m.group() in keep else f"\\x{ord(m.group()):02x}", text
    )


class TextFormatter(logging.Formatter):
    """The readable format, one line per record whatever the message holds (a traceback,
    printed with `--debug` or for a bug, still follows on its own lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": escape_controls(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = escape_controls(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def check_line(outcome: str, url: str, error: str | None, version: int | None = None) -> str:
    """One check as a log line: `changed https://…/حلف-جديد/ (version 3)` or `skipped URL: why`.
    The URL is shown decoded (`display_url`; the JSON field keeps it as stored), and an error
    that opens with the outcome and the same URL (`skipped URL: …`, as the fetcher words its
    errors for the database) is not made to say them twice."""
    from crawler.urls import display_url

    if version:
        suffix = f" (version {version})"
    elif error:
        for prefix in (f"{outcome} {url}: ", f"{url}: "):
            if error.startswith(prefix):
                error = error[len(prefix) :]
                break
        suffix = f": {error}"
    else:
        suffix = ""
    return f"{outcome} {display_url(url)}{suffix}"


def setup_logging(
    fmt: str = "text", debug: bool = False, stream: TextIO | None = None, quiet: bool = False
) -> None:
    """Configure the root logger once per process; `fmt` is "text" or "json". `quiet` keeps
    warnings and errors only (a live progress line stands in for the per-check lines)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    handler.marsad = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "marsad", False):  # ours from an earlier call; others (pytest's) stay
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler.scheduler", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)
