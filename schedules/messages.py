"""What a notification says: the webhook's JSON, and the title, plain text and HTML of a message.

Arabic-friendly: titles and excerpts are kept as written, each isolated (U+2068 … U+2069 in plain
text, `dir="auto"` in HTML) so a right-to-left title next to a left-to-right word or number is
not reordered; URLs are shown decoded (`/مقال/`, not `/%D9%85…/`). The fixed words are Arabic or
English (`[notify] language`). Pure: payloads in, text out.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from schedules.logs import escape_controls

# The payload's `format`: raised only when a field changes meaning or goes away.
WEBHOOK_FORMAT = 1

WORDS: dict[str, dict[str, str]] = {
    "ar": {
        "changed": "تغيّرت",
        "gone": "لم تعد موجودة",
        "restored": "عادت",
        "reverted": "عادت إلى نسخة سابقة",
        "redirect_changed": "تغيّر تحويلها",
        "failing": "تتعذّر قراءتها",
        "test": "رسالة تجربة من مرصد",
        "version": "النسخة",
        "against": "مقارنةً بـ",
        "words": "كلمة",
        "added": "أضيف",
        "removed": "حُذف",
        "diff": "الفرق",
        "page": "الصفحة",
        "since": "منذ",
        "watch_words": "كلمات مراقبة",
        "appeared": "ظهرت",
        "disappeared": "اختفت",
        "digest": "ملخص مرصد",
        "changes": "تغييرات",
        "to": "إلى",
        "status": "الرمز",
        "untitled": "(بلا عنوان)",
        "test_body": "إن وصلتك هذه الرسالة فالقناة تعمل.",
    },
    "en": {
        "changed": "changed",
        "gone": "is gone",
        "restored": "is back",
        "reverted": "reverted to an earlier version",
        "redirect_changed": "redirects elsewhere",
        "failing": "cannot be read",
        "test": "Test message from marsad",
        "version": "version",
        "against": "against",
        "words": "words",
        "added": "added",
        "removed": "removed",
        "diff": "diff",
        "page": "page",
        "since": "since",
        "watch_words": "watch words",
        "appeared": "appeared",
        "disappeared": "disappeared",
        "digest": "marsad digest",
        "changes": "changes",
        "to": "to",
        "status": "status",
        "untitled": "(untitled)",
        "test_body": "If this reached you, the channel works.",
    },
}


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    html: str


def _isolated(text: str) -> str:
    return f"\u2068{text}\u2069"


def decoded(url: str) -> str:
    """A URL as a reader sees it: percent-escapes of UTF-8 decoded, control characters shown."""
    return escape_controls(unquote(url))


def links(payload: dict[str, Any], base_url: str) -> dict[str, str]:
    page_id = payload["page"]["id"]
    found = {
        "page": f"{base_url}/-/marsad/page/{page_id}",
        "atom": f"{base_url}/-/marsad/changes.atom",
    }
    version, base = payload.get("version"), payload.get("base_version")
    if payload.get("event") == "changed" and version and base is not None:
        found["diff"] = f"{base_url}/-/marsad/diff/{page_id}/{base}/{version}"
        found["atom_entry"] = f"tag:marsad,2024:page/{page_id}/version/{version}"
    return found


def webhook_item(row_id: int, payload: dict[str, Any], base_url: str) -> dict[str, Any]:
    """One notification as the webhook sends it (docs/notifications.md lists every field)."""
    page = dict(payload["page"])
    page["url_decoded"] = unquote(page.get("final_url") or page["url"])
    item = {
        "id": row_id,
        **payload,
        "format": WEBHOOK_FORMAT,
        "page": page,
        "links": links(payload, base_url),
    }
    return item


def _line(payload: dict[str, Any], words: dict[str, str]) -> str:
    title = payload.get("title") or words["untitled"]
    return f"{_isolated(title)} — {words[payload['event']]}"


def _details(payload: dict[str, Any], words: dict[str, str], base_url: str) -> list[str]:
    out = [decoded(payload["page"].get("final_url") or payload["page"]["url"])]
    event = payload["event"]
    if event == "changed":
        out.append(
            f"{words['version']} {payload.get('version')} {words['against']} "
            f"{payload.get('base_version')}: +{payload.get('words_added', 0)} "
            f"\u2212{payload.get('words_removed', 0)} {words['words']}"
        )
        found = payload.get("watch_words") or {}
        for key in ("appeared", "disappeared"):
            if found.get(key):
                out.append(
                    f"{words['watch_words']} ({words[key]}): "
                    + "، ".join(_isolated(w) for w in found[key])
                )
        for key in ("added", "removed"):
            if payload.get(key):
                out.append(f"{words[key]}: {_isolated(payload[key])}")
    elif event == "reverted":
        out.append(f"{words['version']} {payload.get('version')}")
    elif event == "redirect_changed":
        detail = payload.get("detail") or {}
        out.append(f"{words['to']}: {decoded(str(detail.get('to', '')))}")
    elif event in ("gone", "restored"):
        status = (payload.get("detail") or {}).get("status")
        if status:
            out.append(f"{words['status']} {status}")
    elif event == "failing":
        out.append(f"{words['since']} {payload.get('since')}: {payload.get('error') or ''}")
    found_links = links(payload, base_url)
    out.append(
        f"{words['diff']}: {found_links['diff']}"
        if "diff" in found_links
        else f"{words['page']}: {found_links['page']}"
    )
    return out


def render(payloads: list[dict[str, Any]], language: str, base_url: str) -> Message:
    """One message for one notification, or a digest listing several."""
    words = WORDS[language]
    if len(payloads) == 1:
        payload = payloads[0]
        title = _line(payload, words)
        lines = _details(payload, words, base_url)
        text = title + "\n" + "\n".join(lines) + "\n"
        body = "".join(f'<p dir="auto">{html.escape(line)}</p>' for line in lines)
        return Message(title, text, _html(language, title, body))
    title = f"{words['digest']}: {len(payloads)} {words['changes']}"
    parts, blocks = [], []
    for payload in payloads:
        head = _line(payload, words)
        lines = _details(payload, words, base_url)
        parts.append("• " + head + "\n  " + "\n  ".join(lines))
        blocks.append(
            f'<li><strong dir="auto">{html.escape(head)}</strong>'
            + "".join(f'<br><span dir="auto">{html.escape(x)}</span>' for x in lines)
            + "</li>"
        )
    text = title + "\n\n" + "\n\n".join(parts) + "\n"
    return Message(title, text, _html(language, title, "<ul>" + "".join(blocks) + "</ul>"))


def sample(language: str) -> Message:
    words = WORDS[language]
    title = words["test"]
    return Message(
        title,
        f"{title}\n{words['test_body']}\n",
        _html(language, title, f"<p>{html.escape(words['test_body'])}</p>"),
    )


def _html(language: str, title: str, body: str) -> str:
    direction = "rtl" if language == "ar" else "ltr"
    return (
        f'<div lang="{language}" dir="{direction}"><h3 dir="auto">{html.escape(title)}</h3>'
        f"{body}</div>"
    )
