"""Datasette latency of the pages users open most, on a large generated database.

Datasette is built the way `marsad serve` builds it (`store.web.build_datasette`) and asked
in-process through `ds.client`, so the figure is Datasette, the plugin and SQLite, without a
socket. Each page is requested a few times to warm up, then `SAMPLES` times; the table gives
the median and the 95th percentile. Goal (issue 9): p95 under 200 ms.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import quote

from bench import synthetic
from bench.measure import goal, median, ms, percentile
from store.web import build_datasette

SIZES = {"smoke": 300, "full": 100_000, "issue": 1_000_000}
SAMPLES = {"smoke": 5, "full": 30, "issue": 30}
WARMUP = 2
P95_GOAL_MS = 200.0
# What people search for on this site: names and topics of the seed article, typed without
# harakat and with a bare alef (the index must still find them), a rare word, and the start of
# a word still being typed (a prefix thousands of words share).
QUERIES = ("الاستخبارات الالمانية", "الارهاب", "اوروبا داعش", "الشراكات", "الاست")


def pages(path: Any) -> dict[str, list[str]]:
    """Each page users open most, as a list of URLs to cycle through."""
    page_id, url, count = synthetic.sample_page(path)
    name = path.stem
    pairs = [(k - 1, k) for k in range(2, count + 1)] or [(0, 1)]
    return {
        "latest changes (`latest_changes`)": [f"/{name}/latest_changes"],
        "one page's history (`page_history`)": [f"/{name}/page_history?url={quote(url, safe='')}"],
        "one page's timeline (`/-/marsad/page/<id>`)": [f"/-/marsad/page/{page_id}"],
        "a diff view (`/-/marsad/diff/<page>/<from>/<to>`)": [
            f"/-/marsad/diff/{page_id}/{old}/{new}" for old, new in pairs
        ],
        "full-text search (`search`)": [f"/{name}/search?q={quote(q)}" for q in QUERIES],
    }


async def _sample(path: Any, samples: int) -> dict[str, dict[str, Any]]:
    ds = build_datasette(path)
    startup = getattr(ds, "invoke_startup", None)
    if startup:
        await startup()
    results = {}
    for label, urls in pages(path).items():
        for url in urls[:WARMUP]:
            await ds.client.get(url)
        times, statuses = [], set()
        for i in range(samples):
            url = urls[i % len(urls)]
            start = time.perf_counter()
            response = await ds.client.get(url)
            times.append(time.perf_counter() - start)
            statuses.add(response.status_code)
        results[label] = {
            "median_ms": ms(median(times)),
            "p95_ms": ms(percentile(times, 0.95)),
            "max_ms": ms(max(times)),
            "statuses": sorted(statuses),
            "example": urls[0],
        }
    return results


def run(scale: str = "full") -> dict[str, Any]:
    size = SIZES[scale]
    path = synthetic.versions_db(size)
    results = asyncio.run(_sample(path, SAMPLES[scale]))
    goals = [
        goal(
            f"{label}: p95 under {P95_GOAL_MS:.0f} ms at {size:,} versions",
            f"{r['p95_ms']} ms" + ("" if r["statuses"] == [200] else f" (HTTP {r['statuses']})"),
            r["p95_ms"] < P95_GOAL_MS and r["statuses"] == [200],
        )
        for label, r in results.items()
    ]
    notes = [
        (
            f"Database: {size:,} generated versions (2–12 KB of Arabic text each) of about"
            f" {size // 5:,} pages, with events, the word search index and the near-duplicate"
            f" index (generated in {synthetic.build_seconds(path)} s, {path.stat().st_size / 1e9:.2f}"
            " GB). The history and diff pages use the page with the longest history (50 versions)."
        ),
        f"Searches cycle through {', '.join(QUERIES)}.",
    ]
    if scale != "issue":
        notes.append(
            f"{size:,} versions, not the issue's 1,000,000: generating a million versions with"
            " their full-text index takes about 15 minutes and 30 GB here. `python -m bench.run"
            " --scale issue` runs it."
        )
    columns = ["page", "median_ms", "p95_ms", "max_ms", "statuses"]
    return {
        "title": f"Datasette: latency of the pages users open most ({size:,} versions)",
        "tables": [
            {
                "title": f"{SAMPLES[scale]} requests per page after {WARMUP} warm-up requests",
                "columns": columns,
                "rows": [[label] + [r[c] for c in columns[1:]] for label, r in results.items()],
            }
        ],
        "goals": goals,
        "figures": {"versions": size, "pages": results},
        "notes": notes,
    }
