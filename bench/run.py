"""Run every benchmark and write docs/benchmarks.md and the JSON of the same figures.

    python -m bench.run                      # all, at the sizes that fit this machine
    python -m bench.run --only dedup export  # some; the others keep their last figures
    python -m bench.run --scale issue        # the issue's sizes (1,000,000 versions; hours)
    python -m bench.run --scale smoke        # tiny sizes: proves each still runs

A benchmark is `bench/bench_<name>.py` with `run(scale="full") -> dict` (or `run()`). One that is
missing or fails is reported on one line and skipped: the benchmark never fails the build.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.machine import describe

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = (
    "extract",
    "realpages",
    "check",
    "instructions",
    "dedup",
    "diff",
    "datasette",
    "export",
    "discovery",
)
SCALES = ("smoke", "full", "issue")


def say(line: str) -> None:
    print(f"bench: {line}", file=sys.stderr, flush=True)


def run_one(name: str, scale: str, machine: dict[str, Any]) -> dict[str, Any]:
    """One benchmark's entry: status ok / skipped / failed, its result, when and where."""
    entry: dict[str, Any] = {
        "status": "ok",
        "scale": scale,
        "machine": machine,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    started = time.perf_counter()
    module_name = f"bench.bench_{name}"
    try:
        module = importlib.import_module(module_name)
        run = module.run
        takes_scale = "scale" in inspect.signature(run).parameters
        result = run(scale=scale) if takes_scale else run()
        if not isinstance(result, dict):
            raise TypeError(f"run() returned {type(result).__name__}, not a dict")
        entry["result"] = json.loads(json.dumps(result, default=str))  # JSON-safe from here on
    except ModuleNotFoundError as error:
        if error.name != module_name:
            entry.update(
                status="skipped",
                reason=f"needs {error.name}: run `make bench`, which installs the bench extra",
            )
        else:
            entry.update(status="skipped", reason=f"{module_name} does not exist yet")
    except Exception as error:  # noqa: BLE001 — a failing benchmark must not stop the others
        first = (str(error).strip().splitlines() or [""])[0]
        entry.update(status="failed", reason=f"{type(error).__name__}: {first}"[:300])
    entry["seconds"] = round(time.perf_counter() - started, 1)
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="full")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help=f"some of {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=REPO / "docs",
        help="where benchmarks.md and benchmarks.json go",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    machine = describe()
    previous: dict[str, Any] = {}
    if args.only:  # keep the figures of the benchmarks not run this time, with their machine
        try:
            previous = json.loads((args.docs / "benchmarks.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
    entries = dict(previous.get("benchmarks", {}))
    for name in names:
        say(f"{name} ({args.scale}) …")
        entry = run_one(name, args.scale, machine)
        entries[name] = entry
        reason = f": {entry['reason']}" if entry["status"] != "ok" else ""
        say(f"{name} {entry['status']} in {entry['seconds']} s{reason}")
    ordered = {n: entries[n] for n in BENCHMARKS if n in entries}
    result = {"machine": machine, "benchmarks": ordered}
    for path in report.write(result, args.docs, args.out):
        say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
