"""Full-text search over the Arabic match key, word by word, seeing through attached clitics.

Each version's match key (no harakat, one alef form, `crawler.arabic.match_key`) is indexed as
words, and each word also without the clitics Arabic writes onto it: و ف (and), ب ك ل (by, as,
for), ال (the) and their chains (وبال، فلل …). A typed word of three letters or more then finds
the words that start with it once clitics are taken off (`اسلام` finds `الإسلام`, `بالإسلام`,
`الإسلامية`); shorter words and numbers are matched whole.

Until schema 9 the index was trigram, which matched any substring but made a query of two common
words that never meet intersect the posting lists of nearly every version: 620 ms at 1,000,000
versions, where the word index answers in tens of milliseconds (docs/benchmarks.md). The table is
contentless: the excerpt shown with a result is cut from the version's own text (`excerpt`),
so the index holds no second copy of every text.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

import sqlite_utils

from crawler.arabic import displayed_match_key, match_key

TABLE = "versions_fts"
PREFIX_FROM = 3  # letters; a shorter word is looked up whole ("11", "في"), not as a prefix
EXCERPT_WORDS = 20  # words shown on each side of the first match
# SQLite's time limit (Datasette's 3 s) cannot interrupt a function while it runs, so what the
# SQL functions read is capped: a text at the fetcher's largest body (no stored text is longer),
# what people type at a line's worth, and the places a search word is tried in one excerpt.
SQL_TEXT_LIMIT = 5_000_000  # characters
SQL_QUERY_LIMIT = 1_000  # characters of a search
EXCERPT_TERMS = 16  # search words an excerpt looks for
MATCH_TRIES = 10_000  # occurrences of one search word tried before the excerpt gives up

# Proclitics in match-key spelling (alef forms already folded): an optional conjunction, then a
# preposition, the article, or both ("لل" is ل + ال with the alef dropped). Longest first.
_CONJUNCTIONS = ("", "و", "ف")
_CLITICS = tuple(
    sorted(
        {c + p for c in _CONJUNCTIONS for p in ("", "ب", "ك", "ل", "ال", "بال", "كال", "لل")}
        - {""},
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 3  # letters left after a clitic: "ولد" (a boy) is not و + "لد"
# Letters and digits, as FTS5's unicode61 tokenizer splits words (\w would keep "_" and make a
# two-token phrase, which a detail=none index cannot look up).
_WORD = re.compile(r"[^\W_]+")
_CLITIC_SET = frozenset(_CLITICS)


def create_table(db: sqlite_utils.Database) -> None:
    # Prefix indexes of 3 to 5 letters: a short prefix of common words ("الا", "وال", "الاست")
    # otherwise merges the posting lists of thousands of words, 2.3 s at 1,000,000 versions for
    # "الا"; with them, under a millisecond. `detail=none` keeps only which versions hold a word,
    # not where: every query word is looked up alone, and the index is 5× smaller (10× smaller
    # than the trigram index was) and cheaper to write.
    db.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "text_key, title_key, content='', detail=none,"
        " tokenize='unicode61 remove_diacritics 0', prefix='3 4 5')"
    )


def index_version(
    db: sqlite_utils.Database, version_id: int, text_key: str, title: str | None
) -> None:
    """Index one new version by its text's match key (the caller has it: the near-duplicate
    signature is made from it too); called in the transaction that inserts it."""
    db.execute(
        f"INSERT INTO {TABLE} (rowid, text_key, title_key) VALUES (?, ?, ?)",
        [version_id, indexed(text_key), indexed(match_key(title or ""))],
    )


def indexed(key: str) -> str:
    """What the index is given for a match key: each of its space-separated runs once, then the
    clitic-less forms of its words that have one. A `detail=none` index keeps only which
    versions hold a term, and a term never spans a space, so the terms are those of the whole
    key; an article repeats most of its words, which the tokenizer then reads once."""
    words = dict.fromkeys(_WORD.findall(key))
    stems = [stem for word in words for stem in _stems(word)]
    runs = " ".join(dict.fromkeys(key.split()))
    return f"{runs} {' '.join(stems)}" if stems else runs


@lru_cache(maxsize=65536)  # a site's vocabulary is a few tens of thousands of words
def _stems(word: str) -> tuple[str, ...]:
    return tuple(
        word[len(clitic) :]
        for clitic in _CLITICS
        if word.startswith(clitic) and len(word) - len(clitic) >= _MIN_STEM
    )


def word_matches(term: str, word: str) -> bool:
    """Whether the search would find `word` (a match-key word) for the typed `term` (one too):
    the term begins the word, or the word once a clitic is taken off; a short term (or number)
    only as the whole word. Watch words (`store.watchwords`) use this very rule."""
    if len(term) < PREFIX_FROM:
        return word == term or term in _stems(word)
    return word.startswith(term) or any(stem.startswith(term) for stem in _stems(word))


def words_of(key: str) -> list[str]:
    """The words of a match key, as the index splits them."""
    return _WORD.findall(key)


def _terms(key: str) -> list[str]:
    # Quotes, `*`, `-`, parentheses are dropped: nothing typed can become FTS5 query syntax.
    return _WORD.findall(key)


def fts_query(words: str | None) -> str:
    """An FTS5 query for versions holding every word of `words` (a match key): each quoted, so
    what people type (quotes, `-`, `OR`, `*`) is searched as text, never parsed as syntax."""
    terms = _terms(words or "")
    # '""' matches no row; FTS5 rejects an empty string outright.
    return " ".join(f'"{t}"*' if len(t) >= PREFIX_FROM else f'"{t}"' for t in terms) or '""'


def search(db: sqlite_utils.Database, words: str, limit: int = 50) -> list[int]:
    """Ids of the versions holding all `words`, newest first (the CLI and tests use this)."""
    query = fts_query(match_key(words))
    rows = db.execute(
        f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?",
        [query, limit],
    )
    return [int(r[0]) for r in rows]


def _first_match(key: str, terms: list[str]) -> int | None:
    """Where the first word `terms` match starts in `key`, by the index's rule: the term begins
    the word, or begins it once a clitic is taken off. Each term is found by `str.find` and the
    letters before it checked: a regular expression trying every clitic at every position cost
    ten times the rest of the excerpt."""
    first = None
    for term in terms[:EXCERPT_TERMS]:
        at = key.find(term)
        tries = 0
        while at >= 0 and (first is None or at < first) and tries < MATCH_TRIES:
            tries += 1
            begin = at
            while begin > 0 and at - begin <= 4 and key[begin - 1].isalnum():
                begin -= 1
            after_clitic = (
                key[begin:at] in _CLITIC_SET
                and not key[begin - 1 : begin].isalnum()
                and len(term) >= _MIN_STEM  # a shorter stem is never indexed
            )
            whole_word = not key[at + len(term) : at + len(term) + 1].isalnum()
            if (begin == at or after_clitic) and (len(term) >= PREFIX_FROM or whole_word):
                first = at
                break
            at = key.find(term, at + 1)
    return first


def excerpt(text: str | None, words: str | None) -> str:
    """The words of `text` around the first word the search `words` matched, as the reader wrote
    them (harakat and all); the opening words when only the title matched.

    A stored text is its blocks joined by blank lines, each already in display form, so it is
    keyed without the display step, and the window stays inside the block that matched."""
    if not text:
        return ""
    key = displayed_match_key(text)  # folding never touches line breaks: blocks line up
    at = _first_match(key, _terms(match_key(words or ""))) or 0
    index = key.count("\n\n", 0, at)
    start = key.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    blocks, keys = text.split("\n\n"), key.split("\n\n")
    if len(blocks) != len(keys):  # not a stored text: one block
        blocks, keys, index, start = [text], [key], 0, 0
    return _window(
        blocks[index], keys[index], at - start, before=index > 0, after=index < len(blocks) - 1
    )


def _window(block: str, key: str, at: int, *, before: bool, after: bool) -> str:
    shown = block.split()
    keyed = key.split()
    if len(keyed) != len(shown):  # folding changed the word count: show the match key instead
        shown = keyed
    word = len(key[:at].split())
    start = max(0, word - EXCERPT_WORDS)
    end = min(len(shown), word + EXCERPT_WORDS + 1)
    lead = "… " if start or before else ""
    tail = " …" if end < len(shown) or after else ""
    return lead + " ".join(shown[start:end]) + tail


def bounded(value: object, limit: int = SQL_TEXT_LIMIT) -> str:
    """An SQL function's text argument, cut at `limit` characters (anything else as text)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text[:limit]


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions the `search` query calls (Datasette's plugin registers them). Each reads
    a bounded input in linear time, so a query cannot run past Datasette's time limit in one."""
    conn.create_function(
        "marsad_match_key", 1, lambda text: match_key(bounded(text)), deterministic=True
    )
    conn.create_function(
        "marsad_fts_query",
        1,
        lambda words: fts_query(bounded(words, SQL_QUERY_LIMIT)),
        deterministic=True,
    )
    conn.create_function(
        "marsad_excerpt",
        2,
        lambda text, words: excerpt(bounded(text), bounded(words, SQL_QUERY_LIMIT)),
        deterministic=True,
    )
