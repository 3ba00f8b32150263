"""Datasette started the way `marsad serve` starts it answers with the Arabic text intact."""

from crawler.models import Block, Extracted, Fetched, Observation
from store.schema import connect
from store.versions import ensure_page, record_check
from store.web import build_datasette

URL = "https://www.europarabct.com/?p=95655"
TEXT = "يبدأ مفهوم الأمن الجماعي كمهمة أساسية"


def test_versions_table_as_json_keeps_arabic(tmp_path):
    import asyncio

    path = tmp_path / "marsad.db"
    db = connect(path)
    page = ensure_page(db, URL, now="t0")
    fetched = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body="<html/>")
    record_check(
        db,
        page,
        Observation(fetched, Extracted(title="عنوان", blocks=(Block("paragraph", TEXT),))),
        now="t1",
    )

    async def fetch():
        ds = build_datasette(path)
        response = await ds.client.get("/marsad/version_texts.json?_shape=array")
        home = await ds.client.get("/")
        return response, home

    response, home = asyncio.run(fetch())
    assert response.status_code == 200
    rows = response.json()
    assert [row["text"] for row in rows] == [TEXT]
    assert "marsad — مرصد" in home.text
