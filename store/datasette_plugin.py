"""marsad's Datasette plugin: SQL functions that let queries use the same Arabic match key."""

from __future__ import annotations

from datasette import hookimpl

from crawler.arabic import match_key


@hookimpl
def prepare_connection(conn):  # type: ignore[no-untyped-def]
    # Registered so canned queries can normalize what a user types the same way as the index.
    conn.create_function("marsad_match_key", 1, lambda text: match_key(text or ""), deterministic=True)
