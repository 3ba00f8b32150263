"""Typed blocks from the chosen text: the word-level filters every evidence path shares (the
scored container, a JSON-LD body written as HTML or as plain text)."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from crawler.arabic import display_text, match_key
from crawler.boilerplate import LABEL_LINE, PLUG_LINE, READ_ALSO, SHORTLINK_LINE
from crawler.models import Block, BlockKind

BR = "\u2028"  # stands for <br> in collected text until blocks are split


def typed_blocks(
    raw: list[tuple[BlockKind, str, LexborNode | int | None]],
    link_chars: dict[int, int],
    title: str | None,
) -> tuple[list[Block], set[int]]:
    """Typed, normalised blocks without the chrome that only its words give away. Each raw
    block names its source by a node or a key of `link_chars`; `dropped` holds those keys."""
    blocks: list[Block] = []
    dropped: set[int] = set()
    after_label = False
    title_key = match_key(title) if title else None  # a repeated headline is not body text
    for kind, text, node in raw:
        node_id = -1 if node is None else node if isinstance(node, int) else node.mem_id
        if BR in text:
            pieces = [piece for piece in map(display_text, text.split(BR)) if piece]
        else:
            piece = display_text(text)
            pieces = [piece] if piece else []
        if not pieces:
            continue
        whole = " ".join(pieces)
        density = link_chars.get(node_id, 0) / len(whole)
        words = whole.count(" ") + 1
        if after_label and density >= 0.7:
            dropped.add(node_id)
            continue
        after_label = False
        if words <= 20 and PLUG_LINE.match(key := match_key(whole[:160])):
            dropped.add(node_id)
            continue
        if words <= 12 or density >= 0.5:  # labels are short or mostly links
            key = match_key(whole[:120])
            if READ_ALSO.match(key) and (words <= 8 or density >= 0.5):
                after_label = True
                dropped.add(node_id)
                continue
            if SHORTLINK_LINE.match(key) or (
                LABEL_LINE.match(key) and (words <= 5 or density >= 0.5)
            ):
                dropped.add(node_id)
                continue
        if kind == "heading" and title_key and len(whole) < 300 and match_key(whole) == title_key:
            continue
        if kind == "heading" or len(pieces) == 1:
            blocks.append(Block(kind, whole))
        else:
            blocks.extend(Block(kind, piece) for piece in pieces)
    return blocks, dropped
