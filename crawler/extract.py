"""Main-content extraction: an HTML string in, an `Extracted` out. Pure; no network; never raises.

The page is parsed once (Lexbor) and walked once into text segments (`crawler.segments`). Every
block element is then scored by the text and link density of what it holds, and the best one
wins (`crawler.density`): no class name is trusted before the text is measured, so a theme
nobody has described is read like a known one. A known container name that agrees with the
winner raises the confidence; the JSON-LD `articleBody` stands in when the page shows much less
than it states (paywalls, AMP teasers). Every result says how it was found (`method`) and how
sure it is (`confidence`).
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.arabic import display_text
from crawler.blocks import typed_blocks
from crawler.boilerplate import is_content
from crawler.calibrate import signature
from crawler.chrome import strip_chrome
from crawler.density import Choice, choice_of, choose
from crawler.jsonld import ArticleFacts
from crawler.metadata import guess_language, page_facts
from crawler.models import Block, BlockKind, Extracted, Link
from crawler.segments import Page, read_page
from crawler.urls import join_url

# Bumped whenever a change to extraction can change the text of some page: a stored version read
# by another extractor version is re-read before it is compared (no false "changed" on upgrade).
EXTRACTOR_VERSION = "2"

_SHORT_ARTICLE = 400  # characters; a result shorter than this is less sure to be the article
_CALIBRATED_MIN = 150  # characters a site's calibrated container needs to be taken on a page


def extract(html: str, url: str | None = None, container: str | None = None) -> Extracted:
    """The article of `html`; an empty result with a `reason` when there is none to observe.
    `container` names the element a site's calibration found holding its posts
    (`crawler.calibrate.signature`): preferred when the page has it with enough text."""
    try:
        return _extract(html, url, container)
    except Exception as error:  # noqa: BLE001 - scraped input must never take the pipeline down
        first = (str(error).strip().splitlines() or [""])[0][:200]
        return Extracted(reason=f"extraction failed: {error.__class__.__name__}: {first}")


def _extract(html: str | bytes, url: str | None, container: str | None = None) -> Extracted:
    if isinstance(html, (bytes, bytearray)):
        html = bytes(html).decode("utf-8", errors="replace")
    if not html or html.isspace():  # not `strip`, which copies the whole page
        return Extracted(reason="empty document")
    tree = LexborHTMLParser(html)
    facts = page_facts(tree, url)
    blocks, links, method, confidence, reason = _content(
        tree, facts.jsonld, facts.title, url, container
    )
    text = " ".join(block.text for block in blocks[:20])
    lang, direction = guess_language(facts.lang, facts.direction, text)
    return Extracted(
        title=facts.title,
        author=facts.author,
        published=facts.published,
        modified=facts.modified,
        categories=facts.categories,
        tags=facts.tags,
        canonical_url=facts.canonical_url,
        shortlink=facts.shortlink,
        api_root=facts.api_root,
        lang=lang,
        direction=direction,
        image=facts.image,
        blocks=tuple(blocks),
        links=tuple(links),
        reason=reason,
        method=method,
        confidence=confidence,
    )


def _content(
    tree: LexborHTMLParser,
    ld: ArticleFacts | None,
    title: str | None,
    url: str | None,
    container: str | None = None,
) -> tuple[list[Block], list[Link], str | None, float | None, str | None]:
    """Blocks, links, which evidence gave them, how sure that is, and why there are none."""
    body = tree.body
    if body is None:
        return [], [], None, None, "page has no visible text"
    page = read_page(body)
    if container:
        calibrated = _calibrated(page, container)
        if calibrated is not None:
            found, found_links = _read(page, calibrated, title, url)
            if sum(len(block.text) for block in found) >= _CALIBRATED_MIN:
                return found, found_links, "calibrated", 0.95, None
    choice = choose(page)
    blocks: list[Block] = []
    links: list[Link] = []
    if choice is not None:
        blocks, links = _read(page, choice, title, url)
    if ld and ld.body and (not blocks or _much_shorter(blocks, ld)):
        ld_blocks = _blocks_from_text(ld.body, title)
        if ld_blocks:
            return ld_blocks, [], "json-ld", 0.8, None
    if not blocks or choice is None:
        if all(segment.marks for segment in page.segments):
            return [], [], None, None, "page has no visible text outside scripts and page chrome"
        return [], [], None, None, "no main content found"
    method, confidence = _judged(page, choice, blocks)
    return blocks, links, method, confidence, None


def _calibrated(page: Page, container: str) -> Choice | None:
    """The element named `container` holding the most text, read as prose."""
    named = [
        index for index, element in enumerate(page.elements) if signature(element) == container
    ]
    if not named:
        return None

    def size(index: int) -> int:
        element = page.elements[index]
        return sum(segment.chars for segment in page.segments[element.start : element.end])

    return choice_of(page, max(named, key=size))


def _judged(page: Page, choice: Choice, blocks: list[Block]) -> tuple[str, float]:
    """How the text was found and how sure that is (0..1). Agreement raises it: the winner
    named as an article container; most of the page's prose inside it. A listing read with its
    links, or a short text, lowers it."""
    winner = page.elements[choice.element]
    named = (
        winner.tag in ("article", "main")
        or is_content(winner.attrs)
        or any(
            is_content(page.elements[index].attrs)
            for index in range(choice.element + 1, min(len(page.elements), choice.element + 4))
            if page.elements[index].parent == choice.element
        )
    )
    if choice.listing:
        method, confidence = "listing", 0.3 + 0.3 * choice.share
    else:
        method = "container" if named else "density"
        confidence = 0.5 + 0.4 * choice.share + (0.1 if named else 0.0)
    if sum(len(block.text) for block in blocks) < _SHORT_ARTICLE:
        confidence *= 0.7
    return method, round(min(confidence, 1.0), 2)


def _much_shorter(blocks: list[Block], ld: ArticleFacts | None) -> bool:
    # Paywalled and "AMP teaser" pages show a few lines but state the whole body in JSON-LD.
    if not ld or not ld.body:
        return False
    return sum(len(b.text) for b in blocks) < 0.5 * len(ld.body)


def _read(
    page: Page, choice: Choice, title: str | None, url: str | None
) -> tuple[list[Block], list[Link]]:
    """The kept segments as typed blocks, and the links written in them."""
    raw: list[tuple[BlockKind, str, LexborNode | int | None]] = []
    link_chars: dict[int, int] = {}
    for index in choice.kept:
        segment = page.segments[index]
        raw.append((segment.kind, segment.text, index))
        link_chars[index] = segment.link_chars
    blocks, dropped = typed_blocks(raw, link_chars, title)
    kept = set(choice.kept) - dropped
    links = []
    for anchor in page.anchors:
        href = anchor.href
        if anchor.segment not in kept or not href or href.startswith(("#", "javascript:")):
            continue
        try:
            target = join_url(url, href) if url else href
        except ValueError:  # `http://[broken`: one bad link must not cost the whole article
            continue
        links.append(Link(url=target, text=display_text("".join(anchor.text))))
    return blocks, links


def _blocks_from_text(body: str, title: str | None) -> list[Block]:
    """JSON-LD `articleBody`: plain text with line breaks, or (on some CMSs) escaped HTML."""
    if "<" in body and ">" in body:
        fragment = LexborHTMLParser(body).body
        if fragment is not None:
            strip_chrome(fragment)
            page = read_page(fragment)
            raw: list[tuple[BlockKind, str, LexborNode | int | None]] = [
                (segment.kind, segment.text, index) for index, segment in enumerate(page.segments)
            ]
            return typed_blocks(raw, {}, title)[0]
    lines: list[tuple[BlockKind, str, LexborNode | int | None]] = [
        ("paragraph", line, None) for line in body.splitlines()
    ]
    return typed_blocks(lines, {}, title)[0]
