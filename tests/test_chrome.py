"""crawler.chrome walks a page with Python twins of the chrome selectors (crawler.boilerplate):
they must remove exactly what the selectors match, on markup made to find where they differ."""

import random

import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.boilerplate import (
    _CLASS_PARTS,
    _EXACT_CLASSES,
    _ID_PARTS,
    CHROME_SELECTOR,
)
from crawler.chrome import strip_chrome

TAGS = [
    "div",
    "p",
    "span",
    "section",
    "article",
    "main",
    "h1",
    "aside",
    "nav",
    "ins",
    "script",
    "style",
    "svg",
    "math",
    "a",
    "ul",
    "li",
    "table",
    "td",
    "form",
    "figcaption",
    "amp-ad",
    "template",
    "footer",
    "header",
    "title",
    "noscript",
    "iframe",
]
CLASSES = [
    *_CLASS_PARTS,
    *_EXACT_CLASSES,
    *[
        "entry-content",
        "Entry-Content",
        "adsbygoogle",
        "ADSBYGOOGLE",
        "ad-x",
        "AD-x",
        "Share",
        "SIDEBAR",
        "foo",
    ],
    "has-sidebar",
]
# Separators `~=` splits on and some it does not (no-break space, em space, vertical tab).
SEPARATORS = [" ", "\t", "\n", "\f", "  ", "\xa0", "\u2003", "\v"]
VALUES = {
    "id": [*_ID_PARTS, "Comments", "content-body", "main"],
    "hidden": [None, "", "false"],
    "aria-hidden": ["true", "TRUE", "false", " true"],
    "role": ["navigation", "Navigation", "banner", "dialog", "contentinfo", "article", "main x"],
    "style": [
        "display:none",
        "display: none",
        "DISPLAY:NONE",
        "display :none",
        "color:red",
        "visibility:hidden",
        "visibility: hidden",
        "x;display:none;y",
    ],
    "itemprop": ["author", "Author", "articleBody", "name", "author x"],
    "rel": ["author", "Author", "AUTHOR", "author nofollow", "tag", "\u212aauthor"],
}


def _unique(nodes):
    # Lexbor returns a node once per selector of a group it matches.
    seen = set()
    return [n for n in nodes if not (n.mem_id in seen or seen.add(n.mem_id))]


def _old_remove(root, selector):
    """The selector version, as crawler.extract had it."""
    removed = set()
    for node in _unique(root.css(selector)):
        if node.mem_id == root.mem_id or node.tag in ("html", "body", "head"):
            continue
        parent, covered = node.parent, False
        while parent is not None and parent.mem_id != root.mem_id:
            if parent.mem_id in removed:
                covered = True
                break
            parent = parent.parent
        if covered:
            continue
        removed.add(node.mem_id)
        node.decompose()


def _attributes(rng):
    out = []
    for _ in range(rng.randrange(4)):
        name = rng.choice(["class", "class", "CLASS", *VALUES, "data-x"])
        if name.lower() == "class":
            value = rng.choice(SEPARATORS).join(rng.sample(CLASSES, rng.randrange(1, 4)))
        else:
            value = rng.choice(VALUES.get(name, ["1"]))
        out.append(f" {name}" if value is None else f' {name}="{value}"')
    return "".join(out)


def _markup(rng, depth=0):
    parts = []
    for _ in range(rng.randrange(1, 5 if depth < 5 else 2)):
        if rng.random() < 0.25 or depth > 6:
            parts.append(rng.choice(["text ", "نص ", "<br>", "<!-- c -->", "<img src=x>"]))
        else:
            tag = rng.choice(TAGS)
            close = f"</{tag}>" if rng.random() > 0.05 else ""  # some left open
            parts.append(f"<{tag}{_attributes(rng)}>{_markup(rng, depth + 1)}{close}")
    return "".join(parts)


@pytest.mark.parametrize("seed", range(4))
def test_python_rules_remove_what_the_selectors_match(seed):
    rng = random.Random(seed)
    for _ in range(250):
        doctype = rng.choice(["", "<!DOCTYPE html>"])  # quirks mode changes class selectors
        html = f"{doctype}<html><body{_attributes(rng)}>{_markup(rng)}</body></html>"
        fragment, expected = LexborHTMLParser(html), LexborHTMLParser(html)
        strip_chrome(fragment.body)
        _old_remove(expected.body, CHROME_SELECTOR)
        assert fragment.html == expected.html, html


@pytest.mark.parametrize(
    ("tag", "attrs", "marked", "chrome"),
    [
        ("div", {"class": "post\u00a0ad"}, False, True),  # the walk splits on the no-break space
        ("div", {"class": "post\tad-slot"}, False, True),  # and takes "ad-" after any space
        ("div", {"class": "c-product-widget__content"}, True, False),  # a BEM part, no widget
        ("div", {"style": "display : none"}, False, True),  # any spacing around the colon
        ("div", {"style": "display:none"}, True, True),
        ("nav", {}, False, True),  # chrome tags are the walk's too
        ("div", {"rel": "author", "href": "/a"}, True, True),
        ("div", {"hidden": None}, True, True),
        ("div", {"role": "main", "id": "content"}, False, False),
    ],
)
def test_one_rule_table_two_readings(tag, attrs, marked, chrome):
    """is_marked and is_chrome come from one table (crawler.boilerplate._MARKS); where the walk
    through a container reads an attribute more loosely, it does so on purpose."""
    from crawler.boilerplate import is_chrome, is_marked

    assert is_marked(attrs) is marked
    assert is_chrome(tag, attrs) is chrome
