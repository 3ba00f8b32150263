"""What a message says: Arabic kept whole and isolated, URLs decoded, fixed words in either
language, digests listing every change, the webhook item's links."""

from __future__ import annotations

from schedules.messages import render, sample, webhook_item
from schedules.notify import redacted, signature

PAGE = {
    "id": 3,
    "url": "https://news.example/?p=7",
    "final_url": "https://news.example/2024/%D8%AD%D9%84%D9%81/",
    "target": "https://news.example/?p=7",
}
CHANGED = {
    "format": 1,
    "event": "changed",
    "at": "2026-01-01T00:00:01.000Z",
    "page": PAGE,
    "title": "اجتماع الحلف 2026",
    "version": 4,
    "base_version": 3,
    "words_added": 5,
    "words_removed": 1,
    "changed_fields": ["text"],
    "added": "وأضاف أن القرار نهائي",
    "removed": "مؤقت",
    "watch_words": {"appeared": ["القرار"], "disappeared": []},
}
GONE = {
    "format": 1,
    "event": "gone",
    "at": "2026-01-01T00:00:02.000Z",
    "page": PAGE,
    "title": "اجتماع الحلف 2026",
    "detail": {"status": 404},
}


def test_one_change_in_arabic():
    message = render([CHANGED], "ar", "http://marsad.example")
    assert message.title == "\u2068اجتماع الحلف 2026\u2069 — تغيّرت"
    lines = message.text.splitlines()
    assert lines[1] == "https://news.example/2024/حلف/"  # decoded, as a reader sees it
    assert "النسخة 4 مقارنةً بـ 3: +5 \u22121 كلمة" in message.text
    assert "كلمات مراقبة (ظهرت): \u2068القرار\u2069" in message.text
    assert "أضيف: \u2068وأضاف أن القرار نهائي\u2069" in message.text
    assert lines[-1] == "الفرق: http://marsad.example/-/marsad/diff/3/3/4"
    assert message.html.startswith('<div lang="ar" dir="rtl">') and 'dir="auto"' in message.html


def test_english_fixed_words_and_a_digest():
    message = render([CHANGED, GONE], "en", "http://marsad.example")
    assert message.title == "marsad digest: 2 changes"
    assert (
        "— changed" in message.text and "— is gone" in message.text and "status 404" in message.text
    )
    assert message.text.count("• ") == 2 and message.html.count("<li>") == 2
    assert sample("en").title == "Test message from marsad"


def test_webhook_item_links_and_signature():
    item = webhook_item(42, CHANGED, "http://marsad.example")
    assert item["id"] == 42 and item["page"]["url_decoded"] == "https://news.example/2024/حلف/"
    assert item["links"] == {
        "page": "http://marsad.example/-/marsad/page/3",
        "atom": "http://marsad.example/-/marsad/changes.atom",
        "diff": "http://marsad.example/-/marsad/diff/3/3/4",
        "atom_entry": "tag:marsad,2024:page/3/version/4",
    }
    assert "diff" not in webhook_item(43, GONE, "http://m")["links"]
    # RFC 4231 test case 2
    assert signature("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert (
        redacted("login failed for user:s3cret@host", ["s3cret"])
        == "login failed for user:***@host"
    )
