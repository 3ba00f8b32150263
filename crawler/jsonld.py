"""schema.org JSON-LD: the article facts a page states about itself (Yoast, Rank Math, news CMSs).

Scraped JSON is not trusted: malformed blocks are repaired where the damage is common (HTML
comments, CDATA wrappers, trailing commas) and skipped otherwise; every value is type-checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "scholarlyarticle",
    "techarticle",
    "report",
    "liveblogposting",
    "socialmediaposting",
    "posting",
}
_PAGE_TYPES = {"webpage", "itempage", "collectionpage"}
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")
_WRAPPER_OPENINGS = ("<!--", "<![CDATA[", "//")
_WRAPPER_ENDINGS = ("-->", "]]>")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


@dataclass(frozen=True)
class ArticleFacts:
    """What JSON-LD says about the page's article; any field may be missing."""

    headline: str | None = None
    body: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    sections: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    image: str | None = None
    language: str | None = None


def _load(raw: str) -> Any:
    raw = raw.strip()
    # _WRAPPERS can match only at the ends of the stripped text; tried at every position of a
    # block that has none, it cost as much as parsing the JSON.
    if raw.startswith(_WRAPPER_OPENINGS) or raw.endswith(_WRAPPER_ENDINGS):
        raw = _WRAPPERS.sub("", raw)
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", raw), strict=False)
    except ValueError:
        return None


def _objects(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every JSON object in a block, flattening lists and `@graph` (Yoast nests one level)."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _objects(value["@graph"], depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _names(value: Any, ids: dict[str, dict[str, Any]]) -> list[str]:
    """Names from a string, an object with `name`, an `@id` reference, or a list of those."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:20]:
        if isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = ids.get(item["@id"], item)
            item = item.get("name")
        if text := _text(item):
            names.append(text)
    return names


def _url(value: Any, ids: dict[str, dict[str, Any]]) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        if "url" not in value and isinstance(value.get("@id"), str):
            value = ids.get(value["@id"], value)
        value = value.get("url") or value.get("contentUrl")
    return _text(value)


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [text for item in value if (text := _text(item))]
    return []


def article_facts(scripts: Iterable[str]) -> ArticleFacts | None:
    """The first Article-like object of the page's JSON-LD blocks, with WebPage dates as backup."""
    objects = [obj for raw in scripts for obj in _objects(_load(raw))]
    ids = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
    article = next((obj for obj in objects if _types(obj) & _ARTICLE_TYPES), None)
    page = next((obj for obj in objects if _types(obj) & _PAGE_TYPES), None)
    if article is None and page is None:
        return None
    main = article or {}
    backup = page or {}

    def first(key: str) -> str | None:
        return _text(main.get(key)) or _text(backup.get(key))

    sections = main.get("articleSection")
    return ArticleFacts(
        headline=_text(main.get("headline")) or _text(main.get("name")),
        body=_text(main.get("articleBody")) or _text(main.get("text")),
        authors=tuple(_names(main.get("author"), ids)),
        published=first("datePublished") or first("dateCreated"),
        modified=first("dateModified"),
        sections=tuple(
            _keywords(sections)
            if isinstance(sections, list)
            else [s for s in [_text(sections)] if s]
        ),
        keywords=tuple(_keywords(main.get("keywords"))),
        image=_url(main.get("image"), ids) or _url(main.get("thumbnailUrl"), ids),
        language=first("inLanguage"),
    )
