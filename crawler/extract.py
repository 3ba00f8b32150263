"""Main-content extraction: an HTML string in, an `Extracted` out. Pure; no network; never raises.

The page is parsed once (Lexbor). The article is found by evidence in order: a well-known
article container (`.entry-content`, `[itemprop=articleBody]`, …, then `article`), the JSON-LD
`articleBody` when the page has no usable container (or a much shorter one, as on teaser pages),
and finally a generic scorer (`crawler.fallback`) for themes nobody has described. Chrome is then
removed inside the chosen container, and the container is walked once into typed blocks.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.arabic import display_text
from crawler.blocks import BR, block_of, typed_blocks, walk
from crawler.density import choose
from crawler.segments import BR as SEGMENT_BR
from crawler.segments import read_page
from crawler.boilerplate import CONTENT_CANDIDATES, INLINE_CHROME, is_content
from crawler.chrome import remove, strip_chrome, strip_page_chrome
from crawler.fallback import best_content
from crawler.jsonld import ArticleFacts
from crawler.metadata import guess_language, page_facts
from crawler.models import Block, BlockKind, Extracted, Link
from crawler.urls import join_url

# Bumped whenever a change to extraction can change the text of some page: a stored version read
# by another extractor version is re-read before it is compared (no false "changed" on upgrade).
EXTRACTOR_VERSION = "2"

_TEXT_TAG = LexborHTMLParser("<p>text</p>").css_first("p").first_child.tag_id  # type: ignore[union-attr]
_MIN_CONTAINER = 150  # characters; below this a known container is a teaser or an empty shell


def extract(html: str, url: str | None = None) -> Extracted:
    """The article of `html`; an empty result with a `reason` when there is none to observe."""
    try:
        return _extract(html, url)
    except Exception as error:  # noqa: BLE001 - scraped input must never take the pipeline down
        first = (str(error).strip().splitlines() or [""])[0][:200]
        return Extracted(reason=f"extraction failed: {error.__class__.__name__}: {first}")


def _extract(html: str | bytes, url: str | None) -> Extracted:
    if isinstance(html, (bytes, bytearray)):
        html = bytes(html).decode("utf-8", errors="replace")
    if not html or not html.strip():
        return Extracted(reason="empty document")
    tree = LexborHTMLParser(html)
    facts = page_facts(tree, url)
    blocks, links, method, reason = _content(tree, facts.jsonld, facts.title, url)
    text = " ".join(block.text for block in blocks[:20])
    lang, direction = guess_language(facts.lang, facts.direction, text)
    image = facts.image
    return Extracted(
        title=facts.title,
        author=facts.author,
        published=facts.published,
        modified=facts.modified,
        categories=facts.categories,
        tags=facts.tags,
        canonical_url=facts.canonical_url,
        shortlink=facts.shortlink,
        lang=lang,
        direction=direction,
        image=image,
        blocks=tuple(blocks),
        links=tuple(links),
        reason=reason,
        method=method,
    )


def _content(
    tree: LexborHTMLParser, ld: ArticleFacts | None, title: str | None, url: str | None
) -> tuple[list[Block], list[Link], str | None, str | None]:
    """Blocks, links, which evidence gave them, and why there are none (if so)."""
    body = tree.body
    if body is None or not _has_text(body) and not (ld and ld.body):
        return [], [], None, "page has no visible text"
    if _NEW:
        return _density_content(tree, body, ld, title, url)
    containers = _known_container(tree)
    if containers:
        blocks, links = _read(containers, title, url)
        if blocks and not _much_shorter(blocks, ld):
            return blocks, links, "container", None
    if ld and ld.body:
        blocks = _blocks_from_text(ld.body, title)
        if blocks:
            return blocks, [], "json-ld", None
    strip_page_chrome(body)
    containers = best_content(body)
    if containers:
        blocks, links = _read(containers, title, url, cleaned=True)
        if blocks:
            return blocks, links, "fallback", None
    # Last resort: a known container too short to be trusted above (a one-line note is still
    # the article when nothing else on the page is).
    short = [
        n for n in tree.css(CONTENT_CANDIDATES) if is_content(n.attributes) and n.text().strip()
    ]
    if short:
        blocks, links = _read([max(short, key=lambda n: len(n.text()))], title, url)
        if blocks:
            return blocks, links, "container", None
    if not _has_text(body):
        return [], [], None, "page has no visible text outside scripts and page chrome"
    return [], [], None, "no main content found"


import os
_NEW = os.environ.get("MARSAD_OLD") is None


def _density_content(
    tree: LexborHTMLParser, body: LexborNode, ld: ArticleFacts | None, title: str | None,
    url: str | None
) -> tuple[list[Block], list[Link], str | None, str | None]:
    page = read_page(body)
    choice = choose(page)
    blocks: list[Block] = []
    links: list[Link] = []
    if choice is not None:
        raw: list[tuple[BlockKind, str, LexborNode | int | None]] = []
        link_chars = {}
        for index in choice.kept:
            segment = page.segments[index]
            raw.append((segment.kind, segment.text.replace(SEGMENT_BR, BR), index))
            link_chars[index] = segment.link_chars
        blocks, dropped = typed_blocks(raw, link_chars, title)
        kept = set(choice.kept) - dropped
        for anchor in page.anchors:
            if anchor.segment not in kept:
                continue
            href = anchor.href
            if not href or href.startswith(("#", "javascript:")):
                continue
            try:
                target = join_url(url, href) if url else href
            except ValueError:
                continue
            links.append(Link(url=target, text=display_text("".join(anchor.text))))
    if ld and ld.body and (not blocks or _much_shorter(blocks, ld)):
        ld_blocks = _blocks_from_text(ld.body, title)
        if ld_blocks:
            return ld_blocks, [], "json-ld", None
    if blocks:
        return blocks, links, "density", None
    return [], [], None, "no main content found"


def _has_text(node: LexborNode) -> bool:
    """`node.text().strip() != ""` without joining all the text (inline scripts included): the
    first text node that is not all whitespace answers."""
    for child in node.traverse(include_text=True):
        if child.tag_id == _TEXT_TAG:  # what text() reads
            text = child.text_content
            if text and not text.isspace():
                return True
    return False


def _much_shorter(blocks: list[Block], ld: ArticleFacts | None) -> bool:
    # Paywalled and "AMP teaser" pages show a few lines but state the whole body in JSON-LD.
    if not ld or not ld.body:
        return False
    return sum(len(b.text) for b in blocks) < 0.5 * len(ld.body)


def _known_container(tree: LexborHTMLParser) -> list[LexborNode]:
    """The known container holding most text, its deepest near-equal descendant, and siblings
    of the same kind (content split around an ad): all in document order."""
    candidates = [node for node in tree.css(CONTENT_CANDIDATES) if is_content(node.attributes)]
    sized = [(node, len(node.text())) for node in candidates]
    sized = [(node, size) for node, size in sized if size >= _MIN_CONTAINER]
    if not sized:
        sized = [(node, len(node.text())) for node in tree.css("article, [role=article]")]
        sized = [(node, size) for node, size in sized if size >= _MIN_CONTAINER]
        if not sized:
            return []
        return [max(sized, key=lambda pair: pair[1])[0]]
    best, best_size = max(sized, key=lambda pair: pair[1])
    outer = best
    for node, size in sized:
        # A known container inside another is the more specific evidence (Drupal's body field
        # inside the node, Jannah's `.entry-content` inside `article.post-content`) unless it
        # is a small part of it. Document order: later nested matches are deeper.
        if size >= 0.5 * best_size and node.mem_id != outer.mem_id and _inside(node, outer):
            best = node
    parent = best.parent
    if parent is None:
        return [best]
    chosen = [
        node
        for node, size in sized
        if node.mem_id == best.mem_id
        or (
            node.parent is not None
            and node.parent.mem_id == parent.mem_id
            and size >= 100
            and not _inside(best, node)
        )
    ]
    return chosen + _continuation(chosen[-1])


def _continuation(container: LexborNode) -> list[LexborNode]:
    """Paragraphs right after the container: a stray `</div>` in the article closes the
    container early, and browsers (and Lexbor) put the rest of the text after it."""
    following = []
    node = container.next
    while node is not None:
        if node.tag in ("p", "blockquote", "ul", "ol", "h2", "h3", "h4"):
            text = node.text().strip()
            if len(text) < 80 or _link_chars(node) > 0.3 * len(text):
                break
            following.append(node)
        elif node.is_element_node:
            break
        node = node.next
    return following


def _link_chars(node: LexborNode) -> int:
    return sum(len(a.text().strip()) for a in node.css("a"))


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    parent = node.parent
    target = ancestor.mem_id
    for _ in range(200):
        if parent is None:
            return False
        if parent.mem_id == target:
            return True
        parent = parent.parent
    return False


def _read(
    containers: list[LexborNode], title: str | None, url: str | None, cleaned: bool = False
) -> tuple[list[Block], list[Link]]:
    raw: list[tuple[BlockKind, str, LexborNode | None]] = []
    chrome: list[LexborNode] = []
    for container in containers:
        if not cleaned:
            remove(container, INLINE_CHROME)
        for br in container.css("br"):
            br.replace_with(BR)
        raw.extend(walk(container, chrome))
    for node in chrome:  # the walk never enters chrome, so these are outermost
        node.decompose()
    anchors = [a for container in containers for a in container.css("a[href]")]
    texts = [anchor.text() for anchor in anchors]
    link_chars: dict[int, int] = {}
    owner: dict[int, int] = {}
    for index, anchor in enumerate(anchors):
        holder = block_of(anchor)
        if holder is not None:
            owner[index] = holder
            link_chars[holder] = link_chars.get(holder, 0) + len(texts[index].strip())
    blocks, dropped = typed_blocks(raw, link_chars, title)
    links = []
    for index, anchor in enumerate(anchors):
        if owner.get(index) in dropped:
            continue
        href = (anchor.attrs.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        try:
            target = join_url(url, href) if url else href
        except ValueError:  # `http://[broken`: one bad link must not cost the whole article
            continue
        links.append(Link(url=target, text=display_text(texts[index])))
    return blocks, links


def _blocks_from_text(body: str, title: str | None) -> list[Block]:
    """JSON-LD `articleBody`: plain text with line breaks, or (on some CMSs) escaped HTML."""
    if "<" in body and ">" in body:
        fragment = LexborHTMLParser(body).body
        if fragment is not None:
            strip_chrome(fragment)
            return _read([fragment], title, None, cleaned=True)[0]
    raw: list[tuple[BlockKind, str, LexborNode | None]] = [
        ("paragraph", line, None) for line in body.splitlines()
    ]
    return typed_blocks(raw, {}, title)[0]
