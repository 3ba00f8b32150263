"""What counts as a change: one rule set for the content hash, the change mask and the diff.

A version is compared on a `Snapshot`: the tracked fields and the article's blocks after the
target's ignore rules. The hash, the mask (`changed_fields`) and the diff all read the same
snapshot, so a block the rules drop (a view counter) can never change one and not the others.
Comparisons are made on match keys, so a re-save that only adds harakat, swaps alef forms or
reflows whitespace is not a change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from crawler.arabic import display_text, match_key
from crawler.models import Block, Extracted
from crawler.patterns import PatternError, UserPattern, compile_pattern
from store.sitelearn import block_key

# The order of the mask: title first because a title change is what people notice first.
# `modified` is deliberately absent: WordPress bumps it on every save, even one that changes
# nothing, so it is recorded with the check, never made a version.
TRACKED_FIELDS: tuple[str, ...] = ("title", "text", "author", "published", "categories", "tags")


class RuleError(ValueError):
    """An ignore pattern cannot be used; the message names it and says what to do."""


@dataclass(frozen=True)
class IgnoreRules:
    """Per-target regular expressions; a block any of them matches is left out of the comparison.

    A pattern is tried against the block's display text and its match key, so a pattern written
    without harakat or with a bare alef still drops a block spelled with them. Searches are
    bounded in time (`crawler.patterns`): a pattern that runs out of time on a page is not
    applied (the block counts) and is logged.
    """

    patterns: tuple[UserPattern, ...] = ()
    # Keys (`store.sitelearn.block_key`) of the blocks learned as chrome on the page's site.
    boilerplate: frozenset[str] = frozenset()

    def with_boilerplate(self, keys: frozenset[str]) -> IgnoreRules:
        return self if keys == self.boilerplate else replace(self, boilerplate=keys)

    @classmethod
    def from_patterns(cls, patterns: Iterable[str] = ()) -> IgnoreRules:
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(compile_pattern(pattern))
            except PatternError as error:
                raise RuleError(
                    f"ignore pattern {error}; fix the regular expression"
                    " (escape literal characters like ( [ . with a backslash)"
                ) from None
        return cls(tuple(compiled))

    def ignores(self, block: Block, given_up: set[str] | None = None) -> bool:
        """Whether a pattern matches the block; a pattern that runs out of time is added to
        `given_up` and not tried again with that set (it drops nothing)."""
        if not self.patterns:
            return False
        given_up = set() if given_up is None else given_up
        shown = display_text(block.text)
        key = match_key(block.text)
        for pattern in self.patterns:
            if pattern.pattern in given_up:
                continue
            for text in (shown, key):
                found = pattern.search(text, what="ignore pattern")
                if found is None:
                    given_up.add(pattern.pattern)
                    break
                if found:
                    return True
        return False

    def apply(self, blocks: Iterable[Block]) -> tuple[Block, ...]:
        """The blocks that count, in display form; blocks without a letter or digit (empty, or a
        lone dash or tatweel) never count."""
        kept = []
        given_up: set[str] = set()  # patterns that ran out of time on this text: one limit each
        for block in blocks:
            text = display_text(block.text)
            if any(ch.isalnum() for ch in match_key(text)) and not self.ignores(block, given_up):
                kept.append(Block(block.kind, text))
        if self.boilerplate and kept:
            kept = _without_site_chrome(kept, self.boilerplate)
        return tuple(kept)


NO_RULES = IgnoreRules()
_MOST = 0.5  # learned site chrome is never applied to a text it would take this share of


def _without_site_chrome(blocks: list[Block], learned: frozenset[str]) -> list[Block]:
    """`blocks` without those learned as the site's chrome, unless that would take half the
    text or more: then they are the article (a short statement that is all boilerplate-like
    words), and a learned rule never removes the article itself."""
    chrome = [block_key(block.text) in learned for block in blocks]
    if not any(chrome):
        return blocks
    total = sum(len(block.text) for block in blocks)
    taken = sum(len(block.text) for block, is_chrome in zip(blocks, chrome) if is_chrome)
    if taken >= _MOST * total:
        return blocks
    return [block for block, is_chrome in zip(blocks, chrome) if not is_chrome]


@dataclass(frozen=True)
class Snapshot:
    """What one version is compared on, in display form (faithful text for people)."""

    title: str | None
    author: str | None
    published: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)

    @property
    def text_key(self) -> str:
        return match_key(self.text)

    @cached_property  # hash, mask and diff all read it; frozen values make caching safe
    def block_keys(self) -> tuple[str, ...]:
        return tuple(match_key(block.text) for block in self.blocks)

    @cached_property  # the recorder asks twice: for the diff outside the lock, then inside
    def content_hash(self) -> str:
        return _content_hash(self)

    @property
    def empty(self) -> bool:
        return not self.blocks

    @cached_property  # the hash and the mask of changed fields both read it
    def field_keys(self) -> Mapping[str, object]:
        """Each tracked field as compared: match keys; categories and tags as sorted sets,
        because WordPress may list the same terms in another order after a re-save."""
        return {
            "title": _key(self.title),
            "text": list(self.block_keys),
            "author": _key(self.author),
            "published": _key(self.published),
            "categories": _term_keys(self.categories),
            "tags": _term_keys(self.tags),
        }


def snapshot(extracted: Extracted, rules: IgnoreRules = NO_RULES) -> Snapshot:
    return Snapshot(
        title=_shown(extracted.title),
        author=_shown(extracted.author),
        published=_shown(extracted.published),
        categories=_terms(extracted.categories),
        tags=_terms(extracted.tags),
        blocks=rules.apply(extracted.blocks),
    )


def content_hash(snap: Snapshot) -> str:
    """sha256 over the match keys of the tracked fields, so noise the key removes never counts."""
    return snap.content_hash


def _content_hash(snap: Snapshot) -> str:
    canonical = json.dumps(snap.field_keys, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_fields(old: Snapshot | None, new: Snapshot) -> tuple[str, ...]:
    """The git-style mask of tracked fields that differ; () means no change.

    For a first version (no `old`) every field that has a value is new.
    """
    new_keys = new.field_keys
    if old is None:
        return tuple(name for name in TRACKED_FIELDS if new_keys[name])
    old_keys = old.field_keys
    return tuple(name for name in TRACKED_FIELDS if old_keys[name] != new_keys[name])


def _shown(value: str | None) -> str | None:
    if value is None:
        return None
    return display_text(value) or None


def _key(value: str | None) -> str:
    return match_key(value) if value else ""


def _terms(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(shown for value in values if (shown := display_text(value)))


def _term_keys(values: Sequence[str]) -> list[str]:
    return sorted({key for value in values if (key := match_key(value))})
