"""How Datasette is started on the marsad database: one place for its configuration."""

from __future__ import annotations

import json
from pathlib import Path

from datasette.app import Datasette

METADATA = Path(__file__).with_name("metadata.json")

SETTINGS = {
    "allow_csv_stream": True,  # CSV of all rows, streamed
    "sql_time_limit_ms": 3000,
}


def build_datasette(db_path: str | Path) -> Datasette:
    """Datasette on the live database in its default mutable mode, so the daemon's new rows show."""
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    return Datasette([str(db_path)], metadata=metadata, settings=SETTINGS)


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    datasette = build_datasette(db_path)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
