"""Article blocks rendered the ways editors and CMSs write them: classic WordPress, Gutenberg,
`<br>`-separated text, and Word-pasted `<div><span>` soup."""

from __future__ import annotations

import json
from html import escape


def decorate(text: str, index: int) -> str:
    """Inline markup inside a paragraph (bold lead, a link), without touching word spacing."""
    words = [escape(w) for w in text.split(" ")]
    if index % 3 == 1 and len(words) > 5:
        words[0] = "<strong>" + words[0]
        words[1] = words[1] + "</strong>"
    if index % 4 == 2 and len(words) > 8:
        middle = len(words) // 2
        words[middle] = f'<a href="/tag/topic-{index}/">{words[middle]}</a>'
    if index % 5 == 3 and len(words) > 6:
        words[-2] = f"<em>{words[-2]}</em>"
    return " ".join(words)


def _lists(blocks: list[tuple[str, str]]) -> list[tuple[str, object]]:
    grouped: list[tuple[str, object]] = []
    for kind, text in blocks:
        if kind == "li" and grouped and grouped[-1][0] == "ul":
            grouped[-1][1].append(text)  # type: ignore[union-attr]
        elif kind == "li":
            grouped.append(("ul", [text]))
        else:
            grouped.append((kind, text))
    return grouped


def classic(blocks: list[tuple[str, str]], heading: str = "h2") -> str:
    out = []
    for i, (kind, value) in enumerate(_lists(blocks)):
        if kind == "p":
            out.append(f"<p>{decorate(value, i)}</p>")
        elif kind == "h":
            out.append(f"<{heading}>{escape(value)}</{heading}>")
        elif kind == "q":
            out.append(f"<blockquote><p>{escape(value)}</p></blockquote>")
        else:
            out.append("<ul>" + "".join(f"<li>{escape(t)}</li>" for t in value) + "</ul>")
    return "\n".join(out)


def gutenberg(blocks: list[tuple[str, str]], image: str = "") -> str:
    out = []
    for i, (kind, value) in enumerate(_lists(blocks)):
        if kind == "p":
            out.append(f'<p class="has-text-align-justify">{decorate(value, i)}</p>')
        elif kind == "h":
            out.append(f'<h2 class="wp-block-heading">{escape(value)}</h2>')
        elif kind == "q":
            out.append(
                f'<figure class="wp-block-pullquote"><blockquote><p>{escape(value)}</p>'
                f"</blockquote></figure>"
            )
        else:
            out.append(
                '<ul class="wp-block-list">'
                + "".join(f"<li>{escape(t)}</li>" for t in value)
                + "</ul>"
            )
        if i == 1 and image:
            out.append(
                f'<figure class="wp-block-image size-large"><img src="/img/body.jpg"'
                f' alt=""><figcaption class="wp-element-caption">{escape(image)}'
                f"</figcaption></figure>"
            )
    return "\n".join(out)


def with_breaks(blocks: list[tuple[str, str]]) -> str:
    """Old news CMSs: one text node per paragraph, separated by double <br>."""
    parts = []
    for i, (kind, value) in enumerate(blocks):
        parts.append(f"<b>{escape(value)}</b>" if kind == "h" else decorate(value, i))
    return "\n<br />\n<br />".join(parts)


def word_soup(blocks: list[tuple[str, str]]) -> str:
    """Text pasted from a word processor: each paragraph a div of styled spans."""
    out = []
    for i, (kind, value) in enumerate(blocks):
        weight = "font-weight: bold;" if kind == "h" else ""
        out.append(
            f'<div dir="rtl" style="text-align: justify;"><span style="font-size: 14pt;'
            f' {weight}"><span style="font-family: arial;">{decorate(value, i)}</span>'
            f"</span></div>"
        )
    return "\n".join(out)


def jsonld(art: dict, url: str, body: bool = False, graph: bool = False) -> str:
    article = {
        "@type": "NewsArticle",
        "headline": art["title"],
        "datePublished": art["date"] + "T08:30:00+00:00",
        "dateModified": art["date"] + "T11:05:00+00:00",
        "articleSection": art["category"],
        "keywords": ", ".join(art["tags"]),
        "inLanguage": art.get("lang", "ar"),
        "image": {"@type": "ImageObject", "url": "https://example.org/img/lead.jpg"},
        "mainEntityOfPage": url,
    }
    if body:
        article["articleBody"] = "\n".join(text for _, text in art["blocks"])
    if graph:
        article["@id"] = url + "#article"
        article["author"] = {"@id": "https://example.org/#/schema/person/1"}
        data = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "WebPage",
                    "@id": url,
                    "url": url,
                    "name": art["title"],
                    "datePublished": art["date"] + "T08:30:00+00:00",
                },
                article,
                {
                    "@type": "Person",
                    "@id": "https://example.org/#/schema/person/1",
                    "name": art["author"],
                },
            ],
        }
    else:
        article["@context"] = "https://schema.org"
        article["author"] = [{"@type": "Person", "name": art["author"]}]
        data = article
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json" class="yoast-schema-graph">{text}</script>'
