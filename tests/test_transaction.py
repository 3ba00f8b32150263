"""One transaction helper: nested, it is a savepoint; deferred work commits with the rest.

A round of checks is recorded in one transaction, each check in a nested one: a check that
fails must take only its own rows (and the index work it deferred) with it, and the indexes a
version joins must commit with it or not at all."""

from __future__ import annotations

import pytest

from store.schema import before_commit, connect, transaction


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "t.db")
    database.execute("CREATE TABLE notes (text TEXT)")
    yield database
    database.conn.close()


def texts(db) -> list[str]:
    return [t for (t,) in db.execute("SELECT text FROM notes ORDER BY rowid")]


def note(db, text: str) -> None:
    db.execute("INSERT INTO notes VALUES (?)", [text])


def test_a_failing_inner_transaction_undoes_only_its_own_writes_and_deferred_work(db):
    with transaction(db):
        with transaction(db):
            note(db, "first check")
            before_commit(db, lambda: note(db, "first check's index"))
        with pytest.raises(RuntimeError), transaction(db):
            note(db, "second check")
            before_commit(db, lambda: note(db, "second check's index"))
            raise RuntimeError("bug in the second check")
        with transaction(db):
            note(db, "third check")
        assert texts(db) == ["first check", "third check"]  # deferred work waits for COMMIT
    assert texts(db) == ["first check", "third check", "first check's index"]
    assert not db.conn.in_transaction


def test_deferred_work_that_fails_rolls_the_whole_transaction_back(db):
    def broken_index() -> None:
        note(db, "half an index")
        raise RuntimeError("index failed")

    with pytest.raises(RuntimeError, match="index failed"), transaction(db):
        note(db, "a version")
        before_commit(db, broken_index)
    assert texts(db) == []  # no version without its index
    with transaction(db):  # and nothing of it lingers for the next transaction
        note(db, "next")
    assert texts(db) == ["next"]


def test_work_deferred_outside_a_transaction_runs_at_once(db):
    before_commit(db, lambda: note(db, "now"))
    assert texts(db) == ["now"]


def test_an_error_in_the_outer_transaction_undoes_the_inner_ones_too(db):
    with pytest.raises(KeyError), transaction(db):
        with transaction(db):
            note(db, "recorded, then undone")
        raise KeyError("the round failed")
    assert texts(db) == []
