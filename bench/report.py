"""Writes the benchmarks' figures as docs/benchmarks.md (tables for people) and JSON (for tools).

A benchmark's `run()` returns a dict; these keys are rendered when present, anything else is
kept in the JSON and shown as a flat key/value table so that no figure is lost:

    title    str                                   heading of the benchmark's section
    tables   [{"title", "columns", "rows"}]        one Markdown table each
    goals    [{"goal", "measured", "met"}]         met: True, False, or None (not measured)
    notes    [str]                                 how it was measured, what was left out
    figures  {...}                                 raw numbers, JSON only (shown flat if no tables)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.machine import summary

RENDERED = {"title", "tables", "goals", "notes", "figures"}


def cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(columns: list[Any], rows: list[list[Any]]) -> list[str]:
    lines = [
        "| " + " | ".join(cell(c) for c in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested figures as (dotted key, value) pairs, for results that bring no tables."""
    if isinstance(value, dict):
        pairs: list[tuple[str, Any]] = []
        for key, item in value.items():
            pairs += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return pairs
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        pairs = []
        for i, item in enumerate(value):
            pairs += flatten(item, f"{prefix}[{i}]")
        return pairs
    return [(prefix, value)]


def _goal_rows(goals: Any) -> list[list[Any]]:
    if isinstance(goals, dict):  # {"goal text": met} from a module with its own shape
        return [[k, cell(v), _met(v if isinstance(v, bool) else None)] for k, v in goals.items()]
    rows = []
    for item in goals or []:
        if isinstance(item, dict):
            rows.append([item.get("goal", ""), item.get("measured", ""), _met(item.get("met"))])
        else:
            rows.append([str(item), "", _met(None)])
    return rows


def _met(met: Any) -> str:
    return {True: "yes", False: "**no**"}.get(met, "not measured")


def section(name: str, entry: dict[str, Any], machine: dict[str, Any] | None = None) -> list[str]:
    result = entry.get("result") or {}
    title = result.get("title") or name
    lines = [f"## {title}", ""]
    lines.append(
        f"`bench/bench_{name}.py` · scale `{entry.get('scale')}` · measured"
        f" {entry.get('at', '?')} in {cell(entry.get('seconds', 0))} s"
    )
    lines.append("")
    if entry.get("machine"):  # the full line only when it differs from the one on top
        same = entry["machine"].get("cpu") == (machine or {}).get("cpu") and entry["machine"].get(
            "libraries"
        ) == (machine or {}).get("libraries")
        lines += [f"Machine: {'as above' if same else summary(entry['machine'])}", ""]
    if entry.get("status") != "ok":
        lines += [f"**{entry.get('status')}**: {entry.get('reason')}", ""]
        return lines
    for item in result.get("tables") or []:
        if item.get("title"):
            lines += [f"**{item['title']}**", ""]
        lines += table(item.get("columns", []), item.get("rows", [])) + [""]
    if not result.get("tables"):
        pairs = flatten({k: v for k, v in result.items() if k not in RENDERED - {"figures"}})
        if pairs:
            lines += table(["figure", "value"], [[k, v] for k, v in pairs]) + [""]
    else:
        extra = {k: v for k, v in result.items() if k not in RENDERED}
        if extra:
            lines += table(["figure", "value"], [[k, v] for k, v in flatten(extra)]) + [""]
    goals = _goal_rows(result.get("goals"))
    if goals:
        lines += ["**Goals**", ""] + table(["goal", "measured", "goal met?"], goals) + [""]
    for note in result.get("notes") or []:
        lines.append(f"- {note}")
    if result.get("notes"):
        lines.append("")
    return lines


def goals_met(entry: dict[str, Any]) -> str:
    rows = _goal_rows((entry.get("result") or {}).get("goals"))
    if entry.get("status") != "ok":
        return entry.get("status", "")
    if not rows:
        return "no goals"
    met = sum(r[2] == "yes" for r in rows)
    return f"{met} of {len(rows)}"


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Benchmarks",
        "",
        (
            "Written by `make bench` (`python -m bench.run`); do not edit by hand. Every figure is a"
            " median of several runs and, where it can be, a ratio of two things measured in the"
            " same run: machines are shared and noisy. A benchmark is not a test and never fails"
            " the build. How each was measured is under its table; the code is in `bench/`."
        ),
        "",
    ]
    if report.get("machine"):
        lines += [f"Last run on: {summary(report['machine'])}", ""]
    entries = report.get("benchmarks", {})
    lines += table(
        ["benchmark", "status", "goals met", "seconds", "measured"],
        [
            [name, e.get("status"), goals_met(e), e.get("seconds"), e.get("at")]
            for name, e in entries.items()
        ],
    ) + [""]
    for name, entry in entries.items():
        lines += section(name, entry, report.get("machine"))
    return "\n".join(lines).rstrip() + "\n"


def write(report: dict[str, Any], docs: Path, out: Path) -> list[Path]:
    """docs/benchmarks.md, docs/benchmarks.json and out/benchmarks.json; returns the paths."""
    docs.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    data = json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n"
    paths = [docs / "benchmarks.md", docs / "benchmarks.json", out / "benchmarks.json"]
    paths[0].write_text(markdown(report), encoding="utf-8")
    paths[1].write_text(data, encoding="utf-8")
    paths[2].write_text(data, encoding="utf-8")
    return paths
