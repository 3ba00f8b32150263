"""Regular expressions from the watch list cannot make a hostile page cost minutes: the common
catastrophic shape is refused when the watch list is read, and any other search stops after
`crawler.patterns.SEARCH_SECONDS`, after which the pattern is given up on and logged once."""

from __future__ import annotations

import pytest

from crawler.discover import DiscoveryScope
from crawler.models import Block
from crawler.patterns import PatternError, UserPattern, compile_pattern
from schedules.config import ConfigError, load_config
from store.rules import IgnoreRules, RuleError

SITE = "https://www.europarabct.com"
# Exponential for a backtracking engine: with `re`, 35 "a" and a "!" took about 3.5 s per search.
SLOW = "(a|aa)+$"
HOSTILE = "a" * 35 + "!"


def test_a_nested_repetition_is_refused_with_one_line(tmp_path):
    # `(a+)+$` against 27 "a" and a "!" cost 20 s per search with `re`.
    path = tmp_path / "watch.toml"
    path.write_text('[[targets]]\nurl = "https://a.example/"\nignore = ["(a+)+$"]\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert (
        "line 3: `ignore`" in message and "(a+)+" in message and "repeats a repetition" in message
    )
    assert "\n" not in message
    with pytest.raises(RuleError, match="repeats a repetition"):
        IgnoreRules.from_patterns([r"(\w+\s?)*:"])
    with pytest.raises(ValueError, match="exclude pattern"):
        DiscoveryScope(hosts=("www.europarabct.com",), exclude=("(/[a-z]+)+$",))
    assert compile_pattern(r"^عدد المشاهدات: \d+$").search("عدد المشاهدات: ٣٤")  # Arabic digits


@pytest.fixture
def searches(monkeypatch):
    """The searches of SLOW and how each ended (None: out of time), counted instead of timed:
    what a hostile page costs is one time limit per search that runs out."""
    seen: list[bool | None] = []
    real = UserPattern.search

    def counted(self, text, *, what="pattern"):
        found = real(self, text, what=what)
        if self.pattern == SLOW:
            seen.append(found)
        return found

    monkeypatch.setattr(UserPattern, "search", counted)
    return seen


def test_an_ignore_pattern_that_runs_out_of_time_costs_one_time_limit(caplog, searches):
    rules = IgnoreRules.from_patterns([SLOW, "^اقرأ أيضا"])
    blocks = [Block("paragraph", HOSTILE)] * 20 + [Block("paragraph", "اقرأ أيضا: مقال")]
    kept = rules.apply(blocks)
    assert searches == [None]  # one search, out of time; the 20 blocks after it not searched
    assert len(kept) == 20  # the given-up pattern drops nothing; the other one still works
    [line] = [r.getMessage() for r in caplog.records if "took over" in r.getMessage()]
    assert SLOW in line
    # given up for that text only: an ordinary page later is still read with the pattern
    assert rules.apply([Block("paragraph", "نص عادي aa")]) == ()


def test_an_exclude_pattern_that_runs_out_of_time_excludes_quickly(searches):
    scope = DiscoveryScope(hosts=("www.europarabct.com",), exclude=(SLOW,))
    answers = [scope.allows(f"{SITE}/{HOSTILE[:-1]}{n}!") for n in range(20)]
    assert searches == [None]  # one time limit for the pass, not one per URL
    assert answers[0] == (False, f"exclude pattern {SLOW!r} ran out of time")
    assert all(not allowed for allowed, _why in answers)
    assert scope.allows(f"{SITE}/ordinary-post/")[0] is False  # given up for this pass
    fresh = DiscoveryScope(hosts=("www.europarabct.com",), exclude=(SLOW,))  # the next pass
    assert fresh.allows(f"{SITE}/ordinary-post/") == (True, "in scope")


def test_a_bad_pattern_still_names_the_error():
    with pytest.raises(PatternError, match="not a valid regular expression"):
        compile_pattern("عدد (المشاهدات")
