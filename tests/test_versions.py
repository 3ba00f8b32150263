"""What counts as a change, on the seed article: noise, title-only edits, flapping, confirmation,
failures that must not move the baseline, and a page that goes 404 and comes back.

The network edge is the `Fetched`/`Extracted` values built here; SQLite is a real file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.models import Block, Extracted, Fetched, Observation, Validators
from schedules.config import ConfigError, load_config
from store.diff import Diff
from store.rules import TRACKED_FIELDS, IgnoreRules
from store.schema import connect
from store.seedmatch import load_seed
from store.versions import Comparison, ensure_page, record_check

ROOT = Path(__file__).resolve().parents[1]
SEED = load_seed(ROOT / "seeds" / "000_3b1ee1feec353f5c.txt")
URL = "https://www.europarabct.com/?p=95655"
TITLE = "أمن دولي ـ لماذا زاد اهتمام الناتو بمنطقة المحيطين الهندي والهادئ؟"
COUNTER = "عدد المشاهدات: 1520"
HEADINGS = {6, 15}  # the seed's two sub-headings


def blocks(paragraphs=SEED.paragraphs):
    return tuple(
        Block("heading" if i in HEADINGS else "paragraph", p) for i, p in enumerate(paragraphs)
    )


def article(paragraphs=SEED.paragraphs, *, title=TITLE, extra=(), **fields) -> Extracted:
    return Extracted(title=title, blocks=blocks(paragraphs) + tuple(extra), **fields)


def edited(index: int, text: str) -> tuple[str, ...]:
    paragraphs = list(SEED.paragraphs)
    paragraphs[index] = text
    return tuple(paragraphs)


def ok(etag: str | None = '"a"') -> Fetched:
    return Fetched(
        url=URL,
        final_url=URL,
        outcome="ok",
        status=200,
        body="<html/>",
        validators=Validators(etag=etag),
    )


def failed(status: int | None, message: str) -> Fetched:
    return Fetched(
        url=URL,
        final_url=URL,
        outcome="error",
        status=status,
        error=message,
        error_class="HTTPStatus" if status else "ConnectError",
    )


@pytest.fixture
def db(tmp_path):
    return connect(tmp_path / "marsad.db")


@pytest.fixture
def page(db):
    return ensure_page(db, URL, now="2026-01-01T00:00:00+00:00")


class Clock:
    def __init__(self):
        self.minute = 0

    def __call__(self) -> str:
        self.minute += 1
        return f"2026-01-01T{self.minute // 60:02d}:{self.minute % 60:02d}:00+00:00"


@pytest.fixture
def check(db, page):
    clock = Clock()

    def run(extracted=None, fetched=None, not_article=None, **comparison):
        seen = Observation(fetched or ok(), extracted, not_article=not_article)
        return record_check(db, page, seen, now=clock(), comparison=Comparison(**comparison))

    return run


def versions(db):
    return db.execute("SELECT * FROM versions ORDER BY version").fetchall()


def column(db, sql, *args):
    return [row[0] for row in db.execute(sql, args).fetchall()]


def test_noise_only_edits_are_checks_not_versions(db, check):
    rules = IgnoreRules.from_patterns([r"^عدد المشاهدات"])
    assert check(article(extra=[Block("paragraph", COUNTER)]), rules=rules).version == 1
    noisy = [
        p.replace("الأطلسي", "الأَطْلَسِيّ").replace("أساسية", "اساسية").replace(" ", "  ")
        for p in SEED.paragraphs
    ]
    outcomes = [
        check(article(noisy, extra=[Block("paragraph", "عدد المشاهدات: 1521")]), rules=rules),
        check(article(extra=[Block("paragraph", "عدد المشاهدات: ٢٠٠٠")]), rules=rules),
        check(article(categories=("أمن دولي", "دراسات")), rules=rules),
        check(article(categories=("دراسات", "أمن دولي")), rules=rules),
    ]
    assert [o.outcome for o in outcomes[:2]] == ["unchanged", "unchanged"]
    assert len(versions(db)) == 2  # only the categories being added
    assert outcomes[3].outcome == "unchanged"  # the same terms in another order
    # the counter is in no version's text, diff or hash: the rule applied to all three
    assert all(COUNTER not in text for text in column(db, "SELECT text FROM version_texts"))
    assert column(db, "SELECT changed_fields FROM versions WHERE version = 2") == ['["categories"]']
    # without the rule the counter is content
    assert check(article(extra=[Block("paragraph", "عدد المشاهدات: 9")])).outcome == "new_version"


def test_a_new_modified_time_alone_is_recorded_with_the_check(db, check):
    check(article(modified="2024-07-20T10:00:00+00:00"))
    again = check(article(modified="2024-07-21T08:30:00+00:00"))
    assert again.outcome == "unchanged"
    assert len(versions(db)) == 1
    assert column(db, "SELECT modified FROM fetches ORDER BY id") == [
        "2024-07-20T10:00:00+00:00",
        "2024-07-21T08:30:00+00:00",
    ]


def test_title_only_change_is_a_version_whose_mask_shows_only_the_title(db, check):
    check(article())
    retitled = check(article(title="الناتو وشركاؤه في المحيطين الهندي والهادئ"))
    assert (retitled.outcome, retitled.version) == ("new_version", 2)
    row = db.execute(
        "SELECT changed_fields, words_added, words_removed, blocks_changed, diff_summary, title"
        " FROM versions WHERE version = 2"
    ).fetchone()
    assert json.loads(row[0]) == ["title"]
    assert row[1:5] == (0, 0, 0, "no change in the text")
    assert row[5] == "الناتو وشركاؤه في المحيطين الهندي والهادئ"


def test_a_paragraph_edit_stores_its_diff_once(db, check):
    check(article())
    changed = check(article(edited(2, SEED.paragraphs[2] + " وأضاف التقرير جملة جديدة تماما")))
    assert (changed.version, changed.words_added, changed.words_removed) == (2, 5, 0)
    row = db.execute(
        "SELECT diff, blocks_added, blocks_removed, blocks_changed, diff_summary, base_version,"
        " changed_fields FROM versions WHERE version = 2"
    ).fetchone()
    diff = Diff.from_json(row[0])
    [edit] = [op for op in diff.blocks if op.op != "equal"]
    assert (edit.old, edit.new) == (2, 2)
    assert ("insert", " وأضاف التقرير جملة جديدة تماما") in edit.words
    assert row[1:] == (0, 0, 1, "+5 \u22120 words in 1 block (1 changed)", 1, '["text"]')


def test_each_version_records_everything_and_text_once(db, check):
    check(
        article(
            author="المركز الأوروبي",
            published="2024-07-20",
            tags=("الناتو",),
            categories=("أمن دولي",),
            canonical_url="https://www.europarabct.com/x/",
            modified="2024-07-20T10:00:00",
        )
    )
    row = db.execute(
        "SELECT v.page_id, v.version, v.fetched_at, v.title, t.text, v.blocks, v.metadata,"
        " v.content_hash, v.changed_fields, v.diff, v.words_added, v.diff_summary"
        " FROM version_texts t JOIN versions v ON v.id = t.id"
    ).fetchone()
    text, kinds = row[4], json.loads(row[5])
    # the text is the blocks joined by a blank line; `blocks` holds only their kinds
    assert text.split("\n\n") == list(SEED.paragraphs)
    assert kinds == ["heading" if i in HEADINGS else "paragraph" for i in range(len(kinds))]
    metadata = json.loads(row[6])
    assert metadata["author"] == "المركز الأوروبي" and metadata["tags"] == ["الناتو"]
    assert metadata["modified"] == "2024-07-20T10:00:00"
    assert len(row[7]) == 64
    assert json.loads(row[8]) == [f for f in TRACKED_FIELDS]  # a first version: every field set
    # a first version's diff would repeat its text: not stored; its words all count as added
    # (punctuation and the tatweel dash "ـ" are not words)
    words = sum(1 for w in text.split() if any(c.isalnum() and c != "\u0640" for c in w))
    assert row[9] is None and row[10] == words > 1000
    assert row[11].startswith("first version:")


def test_flapping_a_b_a_is_a_revert_not_a_version(db, check):
    a, b = article(), article(edited(3, "فقرة بديلة كتبها المحرر ثم تراجع عنها لاحقا."))
    assert [check(a).version, check(b).version] == [1, 2]
    back = check(a)
    assert (back.outcome, back.reverted_to, back.version) == ("reverted", 1, None)
    assert check(a).outcome == "unchanged"  # the baseline is now version 1's content
    assert (check(b).outcome, len(versions(db))) == ("reverted", 2)
    kinds = db.execute(
        "SELECT e.kind, v.version, e.detail FROM events e LEFT JOIN versions v ON v.id = e.version_id"
        " WHERE e.kind = 'reverted' ORDER BY e.id"
    ).fetchall()
    assert kinds == [("reverted", 1, '{"to_version": 1}'), ("reverted", 2, '{"to_version": 2}')]
    # a genuinely new text after a revert is diffed against what the page showed: B
    c = check(article(edited(3, "فقرة ثالثة مختلفة تماما عن الفقرتين السابقتين في المقال.")))
    assert c.version == 3
    assert column(db, "SELECT base_version FROM versions WHERE version = 3") == [2]


def test_content_older_than_the_last_three_versions_is_a_new_version(db, check):
    texts = [article(edited(4, f"الفقرة الرابعة في صيغتها رقم {n} بعد التعديل.")) for n in "1234"]
    assert [check(t).version for t in texts] == [1, 2, 3, 4]
    assert check(texts[1]).reverted_to == 2  # within the last three
    assert check(texts[0]).version == 5  # version 1 is out of the window
    assert check(texts[3], window=5).reverted_to == 4


def test_confirm_two_needs_a_change_on_two_consecutive_checks(db, check):
    a, b = article(), article(edited(5, "صيغة جديدة للفقرة الخامسة ظهرت في فحص واحد فقط."))
    check(a, confirm=2)
    first = check(b, fetched=ok('"b"'), confirm=2)
    assert first.outcome == "pending" and len(versions(db)) == 1
    # the validator of an unconfirmed answer is not kept, or a 304 would hide the second sighting
    assert column(db, "SELECT etag FROM pages") == ['"a"']
    assert column(db, "SELECT pending_count FROM pages") == [1]
    assert check(a, confirm=2).outcome == "unchanged"  # a blip: forgotten
    assert column(db, "SELECT pending_count FROM pages") == [0]
    assert check(b, confirm=2).outcome == "pending"
    second = check(b, fetched=ok('"b"'), confirm=2)
    assert (second.outcome, second.version) == ("new_version", 2)
    assert column(db, "SELECT etag FROM pages") == ['"b"']


def test_failures_never_make_a_version_nor_move_the_baseline(db, check):
    check(article())
    results = [
        check(None, fetched=failed(None, "ConnectError: name resolution failed")),
        check(None, fetched=failed(503, "HTTP 503")),
        check(Extracted(reason="no article container found")),
        check(
            article(["Just a moment..."], title="Just a moment..."),
            not_article="a challenge page instead of the article",
        ),
        check(article([COUNTER]), rules=IgnoreRules.from_patterns(["المشاهدات"])),
    ]
    assert [r.outcome for r in results] == [
        "error",
        "error",
        "no_content",
        "not_article",
        "no_content",
    ]
    assert results[3].error == "a challenge page instead of the article"
    assert check(article()).outcome == "unchanged"
    assert len(versions(db)) == 1
    assert column(db, "SELECT state FROM pages") == ["ok"]


def test_404_marks_gone_keeps_text_and_comes_back_restored(db, check):
    check(article())
    gone = [
        check(None, fetched=failed(404, "HTTP 404")),
        check(None, fetched=failed(404, "HTTP 404")),
    ]
    assert [g.outcome for g in gone] == ["gone", "gone"]
    assert db.execute("SELECT state, versions FROM pages").fetchone() == ("gone", 1)
    assert column(db, "SELECT kind FROM events WHERE kind = 'gone'") == ["gone"]  # once
    assert check(None, fetched=failed(None, "timeout")).outcome == "error"
    assert column(db, "SELECT state FROM pages") == ["gone"]  # a timeout proves nothing
    back = check(article())
    assert (back.outcome, column(db, "SELECT state FROM pages")) == ("unchanged", ["ok"])
    check(None, fetched=failed(410, "HTTP 410"))
    changed = check(article(edited(0, "خاص ـ المركز الأوروبي لدراسات مكافحة الإرهاب ـ نسخة منقحة")))
    assert changed.version == 2
    events = db.execute(
        "SELECT e.kind, v.version FROM events e LEFT JOIN versions v ON v.id = e.version_id"
        " WHERE e.kind IN ('gone', 'restored', 'changed') ORDER BY e.id"
    ).fetchall()
    assert events == [
        ("changed", 1),
        ("gone", None),
        ("restored", None),
        ("gone", None),
        ("restored", 2),
        ("changed", 2),
    ]


def test_a_syndicated_copy_on_another_page_is_linked_as_near_duplicate(db, check):
    check(article())
    other = ensure_page(db, "https://syndicator.example/news/nato-ip4", now="t0")
    copy = ["نقلا عن المركز الأوروبي لدراسات مكافحة الإرهاب", *SEED.paragraphs[1:]]
    record_check(
        db,
        other,
        Observation(
            Fetched(
                url="https://syndicator.example/news/nato-ip4",
                final_url="https://syndicator.example/news/nato-ip4",
                outcome="ok",
                status=200,
                body="<html/>",
            ),
            Extracted(title="منقول", blocks=blocks(copy)),
        ),
        now="2026-01-02T00:00:00+00:00",
    )
    unrelated = ensure_page(db, "https://syndicator.example/news/wheat", now="t0")
    record_check(
        db,
        unrelated,
        Observation(
            Fetched(
                url="https://syndicator.example/news/wheat",
                final_url="https://syndicator.example/news/wheat",
                outcome="ok",
                status=200,
                body="<html/>",
            ),
            Extracted(
                title="القمح",
                blocks=(
                    Block(
                        "paragraph",
                        "أعلنت وزارة الزراعة اليوم عن موسم حصاد وفير للقمح في المناطق الشمالية.",
                    ),
                ),
            ),
        ),
        now="2026-01-02T00:00:00+00:00",
    )
    links = db.execute(
        "SELECT page_a, page_b, similarity, found_at FROM near_duplicates"
    ).fetchall()
    assert [(a, b) for a, b, _, _ in links] == [(1, other)]
    assert links[0][2] > 0.8 and links[0][3] == "2026-01-02T00:00:00+00:00"


def test_confirm_is_read_from_the_watch_list_with_line_numbered_errors(tmp_path):
    path = tmp_path / "watch.toml"
    path.write_text('[[targets]]\nurl = "https://a.example/?p=1"\nconfirm = 2\n', encoding="utf-8")
    assert load_config(path).targets[0].confirm == 2
    path.write_text(
        '[[targets]]\nurl = "https://a.example/?p=1"\n\nconfirm = "twice"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"line 4: `confirm` must be the number of checks"):
        load_config(path)
