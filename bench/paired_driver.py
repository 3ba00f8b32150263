"""One side of `bench_check`'s paired comparison: checks pages of the replica on command, with
the code of the tree it is given, and says what CPU each batch cost.

Run as a script, never imported: it puts `--tree` first on the import path before importing
marsad, so the same driver runs today's code or an older commit's files. It runs what
`marsad check URL…` runs, with what it has used since before issue 17 (`load_config`,
`with_targets`, `prepare`, `make_fetcher`, `schedules.discovery.check_pass`), so an older tree
needs no copy of it.

Commands on stdin, one per line, each answered by one JSON line on stdout:
  pass         start a pass over every URL (a fresh fetcher): {"pages": N}
  check K      check the pass's next K pages: {"cpu_s": …, "outcomes": {…}}
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--urls", type=Path, required=True)
    parser.add_argument("--limit", type=int, required=True)
    args = parser.parse_args()
    sys.path[0] = str(args.tree.resolve())  # the tree's packages, not this script's folder's

    from schedules.config import load_config, with_targets
    from schedules.discovery import check_pass
    from schedules.jobs import make_fetcher, prepare
    from store.schema import connect

    urls = args.urls.read_text(encoding="utf-8").split()[: args.limit]
    config = with_targets(load_config(args.config), urls)
    db = connect(args.db)
    fetcher, pages, done = None, [], 0
    for line in sys.stdin:
        command = line.split()
        if command == ["pass"]:
            if fetcher is not None:
                fetcher.close()
            pages, done = list(prepare(db, config)), 0
            fetcher = make_fetcher(config)
            answer: dict[str, object] = {"pages": len(pages)}
        elif command[:1] == ["check"] and fetcher is not None:
            batch = pages[done : done + int(command[1])]
            done += len(batch)
            started = time.process_time()
            outcomes = check_pass(db, fetcher, config, batch)
            answer = {
                "cpu_s": time.process_time() - started,
                "outcomes": dict(Counter(o.outcome for o in outcomes)),
            }
        else:
            answer = {"error": f"unknown command {line.strip()!r}"}
        print(json.dumps(answer), flush=True)
    if fetcher is not None:
        fetcher.close()
    db.conn.close()


if __name__ == "__main__":
    main()
