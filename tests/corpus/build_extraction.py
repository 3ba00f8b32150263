"""Writes tests/corpus/extraction/NAME.html + NAME.json from texts.py and the layouts.

Run: python tests/corpus/build_extraction.py. The sidecar's expected text is the article as
written in texts.py (never the extractor's output); expected dates are the ones each layout
states. Review the pages by eye after changing a layout: the expectations are checked by hand.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import layouts
import layouts_news as news
from chrome import FORBIDDEN, words
from texts import ARTICLES, ENGLISH, seed_article

OUT = HERE / "extraction"
# The portal's chrome that sits inside its story container, named only by its words.
PORTAL = {
    lang: [words(lang)[k] for k in ("font_tools", "send", "follow", "plug", "app")]
    for lang in ("ar", "en")
}
SHORT = "https://www.europarabct.com/?p=95655"
SEED = {
    "title": "الناتو وشركاؤه في المحيطين الهندي والهادئ ـ مستقبل التعاون مع مجموعة IP4",
    "author": "المركز الأوروبي لدراسات مكافحة الإرهاب",
    "date": "2024-08-05",
    "category": "دراسات",
    "tags": ["الناتو", "IP4", "المحيطين الهندي والهادئ"],
    "blocks": seed_article(),
}
ALL = {**ARTICLES, **ENGLISH, "seed": SEED}
AR_KEYS = list(ARTICLES)
EN_KEYS = list(ENGLISH)


def _article(key: str, host: str) -> dict:
    art = dict(ALL[key])
    lang = "en" if key in ENGLISH else "ar"
    pool = EN_KEYS if lang == "en" else AR_KEYS
    others = [k for k in pool if k != key]
    start = sum(map(ord, key)) % len(others)
    rotated = others[start:] + others[:start]
    art.update(
        lang=lang,
        url=f"https://{host}/{key}/",
        related=[ALL[k]["title"] for k in rotated[:4]],
        recent=[ALL[k]["title"] for k in rotated[4:8]] or [ALL[k]["title"] for k in rotated[:3]],
    )
    return art


def _isolated_forms() -> dict[str, str]:
    """Base letter → its isolated presentation form (what PDF copy-paste produces)."""
    table: dict[str, str] = {}
    for code in range(0xFE80, 0xFEFD):
        name = unicodedata.name(chr(code), "")
        base = unicodedata.normalize("NFKC", chr(code))
        if "ISOLATED FORM" in name and len(base) == 1:
            table.setdefault(base, chr(code))
    return table


def _damage(text: str, index: int) -> str:
    """What copy-paste does to Arabic: presentation forms, elongation, invisible marks."""
    if index % 2 == 0:
        forms = _isolated_forms()
        return "".join(forms.get(c, c) for c in text).replace("\ufedf\ufe8e", "\ufefb")
    words = text.split(" ")
    words[1] = words[1][:2] + "\u0640\u0640\u0640" + words[1][2:]
    words[3] = "\u200f" + words[3] + "\u200b"
    return " ".join(words)


# name, layout, article, options, expectations beyond the defaults
PAGES: list[tuple[str, object, str, dict, dict]] = [
    (
        "ecci_seed",
        layouts.ecci,
        "seed",
        {"shortlink": SHORT, "shortlink_line": True},
        {"shortlink": SHORT},
    ),
    (
        "ecci_sahel",
        layouts.ecci,
        "sahel",
        {"shortlink": "https://www.europarabct.com/?p=90211", "shortlink_line": True},
        {},
    ),
    (
        "ecci_prisons_textdate",
        layouts.ecci,
        "prisons",
        {"date_meta": False, "time_tag": False, "date_text": "أغسطس 19, 2019"},
        {"published": "2019-08-19"},
    ),
    (
        "ecci_cyber_yoast",
        layouts.ecci,
        "cyber",
        {"jsonld": True, "graph": True},
        {"author": "سارة المصري"},
    ),
    (
        "ecci_returnees_readalso",
        layouts.ecci,
        "returnees",
        {"date_meta": False, "time_tag": False, "date_text": "٥ فبراير ٢٠٢٠", "read_also": True},
        {"published": "2020-02-05"},
    ),
    ("ecci_mideast_h2", layouts.ecci, "mideast", {"heading": "h2"}, {}),
    ("tt1_radicalization", layouts.twentytwentyone, "radicalization", {}, {}),
    ("tt1_migration", layouts.twentytwentyone, "migration", {"jsonld": True}, {}),
    ("tt1_en_nato", layouts.twentytwentyone, "en_nato", {}, {}),
    ("astra_intel", layouts.astra, "intel", {}, {}),
    ("astra_energy", layouts.astra, "energy", {}, {}),
    ("astra_en_prisons", layouts.astra, "en_prisons", {}, {}),
    ("gp_disinfo", layouts.generatepress, "disinfo", {}, {}),
    (
        "gp_drones",
        layouts.generatepress,
        "drones",
        {"date_meta": False},
        {"published": "2023-10-03T07:00:00+03:00"},
    ),
    ("gp_en_ransomware", layouts.generatepress, "en_ransomware", {}, {}),
    ("newspaper_mideast", layouts.newspaper, "mideast", {}, {}),
    ("newspaper_water", layouts.newspaper, "water", {"jsonld": True}, {}),
    (
        "newspaper_sahel",
        layouts.newspaper,
        "sahel",
        {"date_meta": False},
        {"published": "2024-03-14T10:20:00+03:00"},
    ),
    (
        "jannah_cyber",
        layouts.jannah,
        "cyber",
        {"date_meta": False, "date_text": "٢ نوفمبر ٢٠٢٣"},
        {"published": "2023-11-02"},
    ),
    ("jannah_migration", layouts.jannah, "migration", {}, {}),
    (
        "jnews_mideast",
        layouts.jnews,
        "mideast",
        {"date_meta": False, "date_text": "22 يوليو/تموز 2024"},
        {"published": "2024-07-22"},
    ),
    ("jnews_radicalization", layouts.jnews, "radicalization", {}, {}),
    ("jnews_returnees", layouts.jnews, "returnees", {"jsonld": True}, {}),
    (
        "drupal_water",
        news.drupal,
        "water",
        {"date_meta": False, "date_text": "الثلاثاء 14 حزيران 2022 - 10:30"},
        {"published": "2022-06-14"},
    ),
    (
        "drupal_intel",
        news.drupal,
        "intel",
        {"date_meta": False, "date_text": "21 أيلول 2021"},
        {"published": "2021-09-21"},
    ),
    ("cms_energy", news.table_cms, "energy", {"date_meta": False}, {"published": "2023-01-17"}),
    ("cms_prisons_soup", news.table_cms, "prisons", {"breaks": False}, {}),
    ("amp_disinfo", news.amp, "disinfo", {}, {}),
    ("amp_seed", news.amp, "seed", {}, {}),
    ("en_news_water", news.english_news, "en_water", {}, {}),
    ("en_news_nato", news.english_news, "en_nato", {}, {}),
    ("en_unknown_prisons", news.unknown_theme, "en_prisons", {}, {"published": None}),
    ("hard_unknown_theme_ar", news.unknown_theme, "drones", {}, {"published": None}),
    ("hard_jsonld_only", news.jsonld_only, "intel", {}, {}),
    ("hard_split_containers", news.split_containers, "energy", {}, {}),
    ("hard_chrome_inside", news.chrome_inside, "returnees", {}, {}),
    ("hard_nested_tables", news.nested_tables, "prisons", {}, {}),
    ("hard_broken_markup", news.broken_markup, "drones", {"date_meta": False}, {"published": None}),
    ("hard_paywall_teaser", news.paywall_teaser, "cyber", {}, {}),
    ("hard_presentation_forms", layouts.ecci, "sahel", {"damaged": True}, {}),
    ("portal_water", news.arabic_portal, "water", {}, {}),
    ("portal_migration", news.arabic_portal, "migration", {"jsonld": True}, {}),
    ("portal_en_nato", news.arabic_portal, "en_nato", {}, {}),
    ("hard_empty_body", news.empty_body, "water", {}, {"empty": True, "published": None}),
    ("hard_all_scripts", news.all_scripts, "water", {}, {"empty": True, "published": None}),
]


def build() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.*"):
        old.unlink()
    for name, layout, key, opts, expect in PAGES:
        host = (
            "www.europarabct.com"
            if name.startswith(("ecci", "hard_presentation"))
            else "news.example.org"
        )
        art = _article(key, host)
        if opts.get("damaged"):
            art["blocks"] = [
                (k, _damage(t, i) if i else t) for i, (k, t) in enumerate(art["blocks"])
            ]
        html = layout(art, opts)  # type: ignore[operator]
        clean = _article(key, host)
        paragraphs = [t for _, t in clean["blocks"]]
        empty = expect.get("empty", False)
        machine = opts.get("date_meta", True) or opts.get("jsonld")
        sidecar = {
            "url": art["url"],
            "layout": getattr(layout, "__name__", str(layout)),
            "title": clean["title"],
            "lang": clean["lang"],
            "direction": "rtl" if clean["lang"] == "ar" else "ltr",
            "empty": empty,
            "paragraphs": [] if empty else paragraphs,
            "must_contain": [] if empty else [paragraphs[0], paragraphs[-1]],
            "must_not_contain": FORBIDDEN[clean["lang"]]
            + clean["related"][:3]
            + (PORTAL[clean["lang"]] if layout is news.arabic_portal else []),
            "published": expect.get(
                "published", f"{clean['date']}T08:30:00+00:00" if machine else None
            ),
        }
        for field in ("author", "shortlink"):
            if field in expect:
                sidecar[field] = expect[field]
        (OUT / f"{name}.html").write_text(html, encoding="utf-8")
        (OUT / f"{name}.json").write_text(
            json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return len(PAGES)


if __name__ == "__main__":
    print(f"wrote {build()} pages to {OUT}")
