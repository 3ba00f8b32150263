"""The same bytes again are "unchanged" without a parse, and only while that is safe.

The replica serves without validators here (as many servers do), so every check is a full 200;
`fetches.content_hash` shows what each check compared, and versions show what it decided.
"""

import hashlib
import shutil
from pathlib import Path

from schedules.config import load_config
from schedules.jobs import check_page, make_fetcher, prepare
from store.schema import connect

REPO = Path(__file__).resolve().parents[1]
SEED = "000_3b1ee1feec353f5c.txt"


def setup(tmp_path, replica, extra=""):
    shutil.copy(REPO / "seeds" / SEED, tmp_path / SEED)
    (tmp_path / "watch.toml").write_text(
        f'[defaults]\nmin_delay = "0s"\n\n[[targets]]\nurl = "{replica.base_url}/?p=95655"\n'
        f'seed = "{SEED}"\n{extra}[targets.discovery]\nenabled = false\n',
        encoding="utf-8",
    )
    replica.site.set_validators(False)
    config = load_config(tmp_path / "watch.toml")
    db = connect(tmp_path / "m.db")
    [page] = prepare(db, config)
    fetcher = make_fetcher(config)
    return db, page, lambda: check_page(db, fetcher, page)


def test_identical_body_is_unchanged_and_a_real_edit_still_a_version(tmp_path, replica):
    db, _page, check = setup(tmp_path, replica)
    assert check().outcome == "new_version"
    assert check().outcome == "unchanged"
    [[known]] = db.execute("SELECT body_hash FROM pages").fetchall()
    assert known, "the body's digest was not kept"
    hashes = [r[0] for r in db.execute("SELECT content_hash FROM fetches ORDER BY id")]
    assert hashes[0] == hashes[1], "the shortcut did not record the baseline's content"
    paragraphs = replica.site.seed_paragraphs()
    replica.site.edit_paragraph(95655, 3, paragraphs[3] + " جملة مضافة")
    edited = check()
    assert (edited.outcome, edited.version, edited.words_added) == ("new_version", 2, 2)
    assert check().outcome == "unchanged"


def test_a_change_awaiting_confirmation_is_never_short_cut(tmp_path, replica):
    _db, _page, check = setup(tmp_path, replica, extra="confirm = 2\n")
    assert check().outcome == "new_version"
    paragraphs = replica.site.seed_paragraphs()
    replica.site.edit_paragraph(95655, 3, paragraphs[3] + " جملة مضافة")
    assert check().outcome == "pending"
    assert check().outcome == "new_version"  # the same new bytes confirm the change
    assert check().outcome == "unchanged"


def test_a_page_back_from_gone_is_read_again(tmp_path, replica):
    db, _page, check = setup(tmp_path, replica)
    check()
    replica.site.take_down(95655)
    assert check().outcome == "gone"
    replica.site.restore(95655)
    back = check()
    assert back.outcome == "unchanged"
    kinds = [r[0] for r in db.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds[-2:] == ["gone", "restored"]


def test_new_ignore_rules_make_the_same_bytes_read_again(tmp_path, replica):
    db, page, check = setup(tmp_path, replica)
    check()
    config_path = tmp_path / "watch.toml"
    first_words = replica.site.seed_paragraphs()[2].split()[0]
    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace(
            "[targets.discovery]", f'ignore = ["^{first_words}"]\n[targets.discovery]'
        ),
        encoding="utf-8",
    )
    config = load_config(config_path)
    [page] = prepare(db, config)
    outcome = check_page(db, make_fetcher(config), page)
    # Versions are compared under the current rules, so ignoring a block is no change; but the
    # page was read again: this check's content hash is the one without that block.
    assert outcome.outcome == "unchanged"
    first, last = [r[0] for r in db.execute("SELECT content_hash FROM fetches ORDER BY id")]
    assert first != last, "the same bytes were not read again under the new ignore rule"


def test_a_digest_stored_by_an_older_marsad_reads_the_page_again_without_a_version(
    tmp_path, replica
):
    """Before issue 17's second round the digest hashed the body itself; it is now made from
    the body's hash, so an upgraded marsad finds no stored digest equal to its own. The page is
    read once more, found unchanged (the content hash decides, no version), and keeps the new
    digest from then on."""
    import httpx

    db, _page, check = setup(tmp_path, replica)
    assert check().outcome == "new_version"
    [[new_form]] = db.execute("SELECT body_hash FROM pages").fetchall()
    body = httpx.get(f"{replica.base_url}/?p=95655", follow_redirects=True).text
    old_form = hashlib.sha256(body.encode("utf-8")).hexdigest()  # what the older marsad kept
    assert old_form != new_form
    db.execute("UPDATE pages SET body_hash = ?", [old_form])
    outcome = check()
    assert (outcome.outcome, outcome.version) == ("unchanged", None)
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    assert db.execute("SELECT body_hash FROM pages").fetchone()[0] == new_form
