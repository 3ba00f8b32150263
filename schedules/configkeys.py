"""Which keys each table of the watch list may hold, so a typo is refused, not ignored.

`evry = "1h"` or `[target.discovery]` read as "not set" would silently watch with defaults; the
known keys come from the settings' own dataclasses, so a new setting is known the moment it
exists (and `tests/test_config.py` checks each is documented).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import fields
from typing import Any

_ANY_NAME = {"notify.channels"}  # its keys are channel names of the user's choosing


def _names(
    settings: type, *, without: tuple[str, ...] = (), extra: tuple[str, ...] = ()
) -> frozenset[str]:
    return frozenset({f.name for f in fields(settings)} - set(without) | set(extra))


@functools.cache
def known_keys() -> dict[str, frozenset[str]]:
    """The keys of each table, by its path as written in the file (`*`: a channel's name)."""
    # Imported here: the config modules import this one for its checks.
    from schedules.config import DaemonSettings, Defaults, Discovery, Target
    from schedules.notifyconfig import Channel, NotifySettings, Rule

    rule = _names(Rule)
    return {
        "": frozenset({"defaults", "daemon", "targets", "notify"}),
        "defaults": _names(Defaults, extra=("notify",)),
        "defaults.notify": rule,
        "daemon": _names(DaemonSettings),
        "targets": _names(Target, extra=("notify",)),
        "targets.discovery": _names(Discovery),
        "targets.notify": rule,
        "notify": _names(NotifySettings, without=("default_rule", "rules")),
        "notify.channels.*": _names(Channel, without=("name",)),
    }


def every_key() -> frozenset[str]:
    """Every setting the watch list knows, for the test that docs/config.md names each."""
    return frozenset().union(*(keys for path, keys in known_keys().items() if path))


Unknown = tuple[list[str], str, int | None, str | None]


def unknown_key(raw: dict[str, Any]) -> Unknown | None:
    """The first key no table knows: its table path, the key, the index of the [[targets]] entry
    it is in, and the nearest known key (difflib) to suggest; None when every key is known."""

    def walk(table: dict[str, Any], path: list[str], index: int | None) -> Unknown | None:
        pattern = ".".join(
            "*" if path[:2] == ["notify", "channels"] and n == 2 else part
            for n, part in enumerate(path)
        )
        if pattern in _ANY_NAME:
            for name, value in table.items():
                if isinstance(value, dict) and (found := walk(value, [*path, name], index)):
                    return found
            return None
        known = known_keys().get(pattern)
        if known is None:
            return None
        for key, value in table.items():
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                return path, key, index, close[0] if close else None
            if key == "targets" and not path and isinstance(value, list):
                for number, item in enumerate(value):
                    if isinstance(item, dict) and (found := walk(item, ["targets"], number)):
                        return found
            elif isinstance(value, dict) and (found := walk(value, [*path, key], index)):
                return found
        return None

    return walk(raw, [], None)


def key_line(text: str, path: list[str], key: str, start: int) -> int:
    """1-based line of `key` in the table `path` at or after the 0-based line `start`: its
    `key = …`, a dotted `key.x = …`, or a table header `[path.key…]` / `[[path.key…]]`."""
    dotted = re.escape(".".join([*path, key]))
    header = re.compile(rf"^\s*\[\[?\s*{dotted}\s*[\].]")
    assign = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*[=.]")
    lines = text.splitlines()
    for number in range(start, len(lines)):
        if header.match(lines[number]) or assign.match(lines[number]):
            return number + 1
    return start + 1


def table_start(text: str, dotted: str, after: int = 0) -> int:
    """0-based line of the header `[dotted]` or `[[dotted]]` at or after `after` (else `after`)."""
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(dotted)}\s*\]\]?\s*(#.*)?$")
    for number, line in enumerate(text.splitlines()):
        if number >= after and header.match(line):
            return number
    return after


def got(value: object) -> str:
    """A wrong value as an error shows it; a number or true/false written in quotes is said to be
    text, since `"200"` and `200` look alike once printed."""
    if isinstance(value, str) and re.fullmatch(r"\s*(-?\d+(\.\d+)?|true|false)\s*", value):
        return f'the text "{value}" (write {value.strip()} without quotes)'
    return f"`{value}`"
