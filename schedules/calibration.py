"""WordPress calibration, the network step: for a check of a WordPress post, read the post's own
text from the REST API (`content.rendered`), measure how far the extraction agrees with it and,
when they disagree, find the element of the page that holds it (`crawler.calibrate`). A few
requests a day per site (`store.sitecal.not_due_before`), through the same fetcher, politeness
and scope as the page itself.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.bodytag import body_classes
from crawler.calibrate import AGREE, agreement, container_in, rendered_text
from crawler.discover.wpapi import MAX_API_BYTES, post_id_in_classes, post_id_in_link, posts_url
from crawler.fetch import Fetcher
from crawler.guard import parse_risk
from crawler.models import Extracted, Fetched

log = logging.getLogger("marsad.calibration")


@dataclass(frozen=True)
class Calibration:
    agreement: float  # the extraction against the post's own text, token F1
    container: str | None = None  # the element that holds the post, when they disagree
    matched: float | None = None  # that element's token F1 against the post's text
    post_url: str = ""


def post_id(extracted: Extracted, fetched: Fetched) -> int | None:
    """The WordPress post ID of a page: its short link (`?p=95655`), the short link it was
    reached by, or the `postid-N` class WordPress puts on `<body>`. The body tag is found in the
    text, not parsed: the check has already parsed the page once."""
    for url in (extracted.shortlink, fetched.url, fetched.final_url):
        number = post_id_in_link(url)
        if number is not None:
            return number
    return post_id_in_classes(" ".join(body_classes(fetched.body or "")))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc.lower())


def calibrate(fetcher: Fetcher, fetched: Fetched, extracted: Extracted) -> Calibration | None:
    """Read the post's own text and compare; None when the page is not a WordPress post, the
    API does not answer, or the page cannot be parsed safely."""
    body = fetched.body or ""
    number = post_id(extracted, fetched)
    if number is None or extracted.empty or parse_risk(body):
        return None
    page_url = fetched.final_url
    # WordPress announces its REST API in every page's <head> (read by the extractor's metadata
    # walk); a page that announces none, or one on another host or port, is not calibrated.
    root = extracted.api_root
    if root is None or _origin(root) != _origin(page_url):
        return None
    answer = fetcher.fetch(
        posts_url(root, include=[number], per_page=1, fields=("id", "link", "content")),
        accept=("application/json",),
    )
    if not answer.ok or not answer.body or len(answer.body) > MAX_API_BYTES:
        return None
    try:
        items = json.loads(answer.body)
        rendered = items[0]["content"]["rendered"] if isinstance(items, list) and items else None
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    if not isinstance(rendered, str):
        return None
    reference = rendered_text(rendered)
    if len(reference) < 200:  # a post too short to tell anything by
        return None
    score = agreement(extracted.text, reference)
    if score >= AGREE:
        return Calibration(score, post_url=page_url)
    found = container_in(body, reference)
    if found is None:
        log.info("calibration of %s: agreement %.2f, no element matches the post's text",
                 page_url, score, extra={"url": page_url})  # fmt: skip
        return Calibration(score, post_url=page_url)
    name, matched = found
    return Calibration(score, name, matched, page_url)
