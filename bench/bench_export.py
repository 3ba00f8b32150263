"""Export speed and memory: every version as CSV and NDJSON through `store.export.write`.

Rows per second are timed into a sink that only counts characters, so the figure is marsad's
cost, not the disk's. Peak memory is tracemalloc's peak of Python allocations during one more
run (tracemalloc slows Python down, so it is never on during a timed run); "flat" means the
peak at the largest size stays within 1.5× of the peak at the smallest, i.e. rows are streamed,
not gathered.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

from bench import synthetic
from bench.measure import CountingSink, goal, median, repeat
from store import export
from store.schema import connect

SIZES = {"smoke": (100, 300), "full": (10_000, 100_000), "issue": (100_000, 1_000_000)}
RUNS = {"smoke": 2, "full": 3, "issue": 3}
FORMATS = ("csv", "ndjson")
FLAT = 1.5


def _peak_bytes(db: Any, fmt: str) -> int:
    tracemalloc.start()
    try:
        export.write(db, "versions", fmt, CountingSink())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(size: int, fmt: str, runs: int) -> dict[str, Any]:
    path = synthetic.versions_db(size)
    db = connect(path)
    try:
        sink = CountingSink()
        rows = export.write(db, "versions", fmt, sink)
        seconds = median(repeat(lambda: export.write(db, "versions", fmt, CountingSink()), runs))
        peak = _peak_bytes(db, fmt)
    finally:
        db.conn.close()
    return {
        "versions": size,
        "format": fmt,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "mb_per_s": round(sink.chars * 2 / 1e6 / seconds, 1),
        "peak_python_mb": round(peak / 1e6, 2),
    }


def run(scale: str = "full") -> dict[str, Any]:
    sizes = SIZES[scale]
    results = [measure(n, fmt, RUNS[scale]) for n in sizes for fmt in FORMATS]
    columns = ["versions", "format", "rows", "seconds", "rows_per_s", "mb_per_s", "peak_python_mb"]
    goals = []
    for fmt in FORMATS:
        small, large = (
            next(r for r in results if r["format"] == fmt and r["versions"] == n)
            for n in (sizes[0], sizes[-1])
        )
        ratio = large["peak_python_mb"] / max(small["peak_python_mb"], 0.01)
        goals.append(
            goal(
                f"{fmt}: memory flat from {sizes[0]:,} to {sizes[-1]:,} versions (peak within {FLAT}×)",
                f"{small['peak_python_mb']} MB → {large['peak_python_mb']} MB ({ratio:.2f}×)",
                ratio <= FLAT,
            )
        )
    notes = [
        (
            "MB/s counts characters written × 2 (Arabic is two bytes a letter in UTF-8), an estimate"
            " of the bytes a file would get."
        ),
        (
            "Peak memory is tracemalloc's peak of Python allocations in a separate run; SQLite's page"
            " cache (bounded by its cache_size) is outside it."
        ),
    ]
    if scale != "issue":
        notes.append(
            f"Sizes here are {sizes[0]:,} and {sizes[-1]:,} versions, not the issue's 1,000,000:"
            " a generated million-version database with its full-text index takes about 15"
            " minutes and 30 GB to build on this machine. `python -m bench.run --scale issue`"
            " runs the issue's sizes."
        )
    return {
        "title": "Export: rows per second and peak memory, versions as CSV and NDJSON",
        "tables": [
            {
                "title": f"Median of {RUNS[scale]} runs (`store.export.write`, all versions)",
                "columns": columns,
                "rows": [[r[c] for c in columns] for r in results],
            }
        ],
        "goals": goals,
        "figures": {"results": results},
        "notes": notes,
    }
