"""Numbers in marsad's own Datasette pages that SQLite cannot hold are a 404, not a 500
(issue #18, item 16). Datasette is real, through its own client."""

from __future__ import annotations

import asyncio

import pytest

from store.schema import connect
from store.web import build_datasette

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/-/marsad/page/{HUGE}",
        f"/-/marsad/diff/{HUGE}",
        f"/-/marsad/diff/1/0/{HUGE}",
        f"/-/marsad/diff/1?to={HUGE}",
        f"/-/marsad/page/{'9' * 5000}",
        "/-/marsad/page/9223372036854775808",
    ],
)
def test_a_number_sqlite_cannot_hold_is_not_found(tmp_path, path):
    db = connect(tmp_path / "m.db")
    db.execute(
        "INSERT INTO pages (url, url_key, first_seen) VALUES ('https://a.example/', 'a.example/', 't')"
    )
    db.conn.close()

    async def fetch():
        return await build_datasette(tmp_path / "m.db").client.get(path)

    assert asyncio.run(fetch()).status_code == 404
