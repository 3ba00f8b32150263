"""How Datasette is started on the marsad database: one place for its configuration.

Read-only by design: no `--root`, no write plugins, no writable canned queries; the daemon is the
only writer. The plugin (store.datasette_plugin) is loaded through its entry point.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from datasette.app import Datasette

METADATA = Path(__file__).with_name("metadata.json")

SETTINGS = {
    "allow_csv_stream": True,  # CSV of all rows, streamed
    "sql_time_limit_ms": 3000,
}


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """The instance metadata with table and column descriptions under the database's name.

    Datasette names a database after its file's stem, and its metadata has no wildcard, so the
    table descriptions are attached to that name here.
    """
    metadata: dict[str, Any] = json.loads(METADATA.read_text(encoding="utf-8"))
    tables = metadata.pop("tables")
    metadata["databases"] = {Path(db_path).stem: {"tables": tables}}
    # The reader's pages: `language` (ar, en or auto: the browser's Accept-Language) and the
    # `timezone` times are shown in; the environment overrides the file for one deployment.
    face = metadata.setdefault("plugins", {}).setdefault("marsad", {})
    for setting in ("language", "timezone"):
        value = os.environ.get(f"MARSAD_{setting.upper()}")
        if value:
            face[setting] = value
    return metadata


def build_datasette(db_path: str | Path) -> Datasette:
    """Datasette on the live database in its default mutable mode, so the daemon's new rows show."""
    return Datasette([str(db_path)], metadata=metadata_for(db_path), settings=SETTINGS)


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    datasette = build_datasette(db_path)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
