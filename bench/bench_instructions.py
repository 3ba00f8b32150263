"""Instructions per check, counted by valgrind: a figure the machine's load does not move.

Issue 17's goals are in milliseconds of client CPU (`bench_check`), but on a shared two-core
machine the same code measured 4.6 ms a page one hour and 7 ms the next. The instructions a
check executes hardly change from run to run, so they show what a change to the code saved.

The three passes of `bench_check` (first fetch; re-check answered 304; re-check answered 200
with the same body) run over a replica of `POSTS` posts, each under callgrind twice: over the
first `FEW` and the first `MANY` pages, each time from the same starting database. The
difference divided by `MANY - FEW` is what one check costs; start-up, imports and the
database's creation cancel out. The replica runs in its own process, outside valgrind.

The first pass is counted again with each index a new version joins switched off (the word
index, near-duplicates, chrome learning): what each costs, for deciding what a check must do.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
POSTS = {"smoke": 20, "full": 400, "issue": 400}
FEW, MANY = 100, 300
PASSES = (
    ("first", "first fetch (200, new version)", "on"),
    ("not_modified", "re-check, unchanged (304)", "on"),
    ("same_content", "re-check without validators (200, same content)", "off"),
)
# The same method on the commit before issue 17's second round (ac1af4d), for comparison.
BEFORE = {"first": 35.4, "not_modified": 4.98, "same_content": 7.15}
# What a first fetch pays for each index a new version joins: the first pass again with one of
# them switched off (here only, by replacing its function), the difference being its cost.
INDEXES = {
    "search": "the word index (FTS5 with 3–5 letter prefixes)",
    "near_dup": "near-duplicates (MinHash signature, 16 LSH bands, the lookup)",
    "learning": "learning the site's chrome (block sightings and their counts)",
}
_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")


def _counted(args: list[str]) -> int:
    """Instructions one `check` pass executed under callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-m", "bench.bench_instructions", "check", *args],
        cwd=REPO, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONMALLOC": "malloc"},  # valgrind counts malloc, not pymalloc
    )  # fmt: skip
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"a pass under valgrind failed: {tail}")
    return int(found.group(1).replace(",", ""))


def _check(config: Path, db: Path, urls: Path, limit: int, without: str = "") -> None:
    from bench.bench_check import check_pass

    if without:
        _switch_off(without)
    check_pass(config, db, urls, limit)


def _switch_off(index: str) -> None:
    """Replace one index's functions by ones that do nothing, in this process only."""
    from store import fts, neardup, sitelearn

    if index == "search":
        fts.index_version = lambda *args, **kwargs: None
    elif index == "near_dup":
        neardup.signature = lambda *args, **kwargs: None
        neardup.index_version = lambda *args, **kwargs: False
        neardup.link_near_duplicates = lambda *args, **kwargs: []
    elif index == "learning":
        sitelearn.note = lambda *args, **kwargs: None
    else:
        raise ValueError(f"no index called {index!r}; one of {', '.join(INDEXES)}")


def run(scale: str = "full") -> dict[str, Any]:
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed (apt-get install valgrind)")
    few, many = (5, 15) if scale == "smoke" else (FEW, MANY)
    per_check: dict[str, float] = {}
    index_cost: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="marsad-bench-instructions-") as tmp:
        work = Path(tmp)
        urls, config = work / "urls.txt", work / "watch.toml"
        config.write_text('[defaults]\nmin_delay = "0s"\nfull_fetch_every = 1000\n')
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_check", "serve", "--posts", str(POSTS[scale]),
             "--urls", str(urls)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert server.stdin is not None and server.stdout is not None
        try:
            server.stdout.readline()  # the replica is listening
            fetched = work / "fetched.db"  # every page of the count fetched once, for re-checks
            _check(config, fetched, urls, many)
            for name, _, validators in PASSES:
                server.stdin.write(f"validators {validators}\n")
                server.stdin.flush()
                server.stdout.readline()
                counts = []
                for limit in (few, many):
                    db = work / f"{name}-{limit}.db"
                    if name != "first":
                        shutil.copy(fetched, db)
                    counts.append(_counted(["--config", str(config), "--db", str(db),
                                            "--urls", str(urls), "--limit", str(limit)]))  # fmt: skip
                per_check[name] = round((counts[1] - counts[0]) / (many - few) / 1e6, 2)
                if name != "first":
                    continue
                for index in INDEXES:
                    counts = [
                        _counted(["--config", str(config), "--db", str(work / f"{index}-{limit}.db"),
                                  "--urls", str(urls), "--limit", str(limit), "--without", index])
                        for limit in (few, many)
                    ]  # fmt: skip
                    without = (counts[1] - counts[0]) / (many - few) / 1e6
                    index_cost[index] = round(per_check["first"] - without, 2)
        finally:
            server.stdin.close()
            server.wait(timeout=10)
    rows = [[label, per_check[name], BEFORE[name],
             f"{100 * (per_check[name] / BEFORE[name] - 1):+.0f}%"]
            for name, label, _ in PASSES]  # fmt: skip
    index_rows = [[INDEXES[index], cost, f"{100 * cost / per_check['first']:.0f}%"]
                  for index, cost in index_cost.items()]  # fmt: skip
    return {
        "title": f"Instructions per check (valgrind), {POSTS[scale]} replica posts",
        "tables": [
            {
                "title": f"Millions of instructions per check: pages {few + 1}–{many} of each pass",
                "columns": ["pass", "now", "before issue 17's second round (ac1af4d)", "change"],
                "rows": rows,
            },
            {
                "title": "What a first fetch pays for each index a new version joins",
                "columns": ["index", "millions of instructions", "share of a first fetch"],
                "rows": index_rows,
            },
        ],
        "figures": {
            "per_check_millions": per_check,
            "before": BEFORE,
            "index_cost_millions": index_cost,
        },
        "notes": [
            (
                "Counted by callgrind (valgrind) in the checking process, replica outside it. A pass"
                " is `prepare` + `check_pass`, as `marsad check URL…` runs them, so a page's row is"
                " counted with its check."
                " Instructions are not time: a cache miss or a system call (the WAL's writes) costs"
                " more than its count says, and valgrind's libcrypto takes a path without the CPU's"
                " SHA instructions. Use the figure to compare versions of the code on one machine."
            ),
            (
                "An index's cost is the first pass counted again with that index switched off (its"
                " functions replaced in the benchmark's process): what leaving it out would save,"
                " its share of the commit included."
            ),
        ],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One check pass, to be counted under valgrind.")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("--config", type=Path, required=True)
    c.add_argument("--db", type=Path, required=True)
    c.add_argument("--urls", type=Path, required=True)
    c.add_argument("--limit", type=int, required=True)
    c.add_argument("--without", choices=sorted(INDEXES), default="",
                   help="switch one index off, to count what it costs")  # fmt: skip
    args = parser.parse_args(argv)
    _check(args.config, args.db, args.urls, args.limit, args.without)


if __name__ == "__main__":
    main()
