"""How Datasette is started on the marsad database: one place for its arguments."""

from __future__ import annotations

from pathlib import Path

METADATA = Path(__file__).with_name("metadata.json")


def datasette_args(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """Arguments for `datasette serve`: mutable mode (so the daemon's new rows show), our metadata."""
    return [
        "serve", str(db_path), "--host", host, "--port", str(port),
        "--metadata", str(METADATA),
        "--setting", "allow_csv_stream", "on",
        "--setting", "sql_time_limit_ms", "3000",
    ]
