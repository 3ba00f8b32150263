"""Quality gate: the extractor over the hand-specified corpus in tests/corpus/extraction/.

Fails when mean token F1 drops under 0.95, when any page leaks chrome listed under
"must_not_contain", misses a "must_contain" segment, or gets its title, date or emptiness wrong.
Speed is measured in bench/bench_extract.py, never here.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

from crawler.extract import extract

_spec = importlib.util.spec_from_file_location(
    "corpus_scoring", Path(__file__).parent / "corpus" / "scoring.py"
)
scoring = sys.modules["corpus_scoring"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scoring)  # type: ignore[union-attr]

PAGES = scoring.load_pages()
RESULTS = {page.name: extract(page.html, page.expected["url"]) for page in PAGES}


def test_corpus_is_big_and_varied_enough():
    assert len(PAGES) >= 40
    layouts = {page.expected["layout"] for page in PAGES}
    assert {
        "ecci",
        "twentytwentyone",
        "astra",
        "generatepress",
        "newspaper",
        "jannah",
        "jnews",
        "drupal",
        "table_cms",
        "amp",
    } <= layouts
    assert sum(page.expected["lang"] == "en" for page in PAGES) >= 5


def test_mean_token_f1_is_at_least_095():
    scores = [scoring.token_score(RESULTS[p.name].text, p.text) for p in PAGES]
    mean_f1 = sum(s.f1 for s in scores) / len(scores)
    worst = sorted(zip((s.f1 for s in scores), (p.name for p in PAGES)))[:3]
    assert mean_f1 >= 0.95, f"mean F1 {mean_f1:.3f}; worst pages {worst}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page(page):
    result = RESULTS[page.name]
    want = page.expected
    assert scoring.chrome_leaks(result.text, want) == []
    assert scoring.missing(result.text, want) == []
    assert result.empty == want["empty"]
    if want["empty"]:
        assert result.reason
        return
    assert scoring.token_score(result.text, page.text).f1 >= 0.9
    assert result.title == want["title"]
    assert result.published == want["published"]
    assert (result.lang or "").split("-")[0] == want["lang"]
    assert result.direction == want["direction"]
    for field in ("author", "shortlink"):
        if field in want:
            assert getattr(result, field) == want[field]


def test_scoring_penalises_chrome_and_loss():
    expected = "حلف شمال الأطلسي يعزز شراكاته"
    assert scoring.token_score(expected, expected).f1 == 1.0
    assert scoring.token_score(expected + " اشترك في النشرة", expected).precision < 1.0
    assert scoring.token_score("حلف شمال", expected).recall < 1.0
    assert scoring.token_score("", "").f1 == 1.0 and scoring.token_score("", expected).f1 == 0.0
