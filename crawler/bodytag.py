"""The classes on a page's `<body>` tag, read from its text without parsing it. WordPress and
its themes say there what a page is (`postid-95655`, `error404`), and two steps of a check ask
before or without a parse: the not-the-article test and calibration's post id.
"""

from __future__ import annotations

import re

_BODY_OPEN = re.compile(r"<body\b", re.IGNORECASE)
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
# quoted or not; not a `data-class` attribute
_CLASS_ATTR = re.compile(
    r"""(?<![\w-])class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE
)


def body_classes(html: str, start: int | None = None) -> list[str]:
    """The class names of the first `<body>` tag; `start` is where it begins when the caller
    has found it already."""
    if start is None:
        found = _BODY_OPEN.search(html)
        if found is None:
            return []
        start = found.start()
    tag = _BODY_TAG.match(html, start)
    attr = _CLASS_ATTR.search(tag.group(0)) if tag else None
    return " ".join(filter(None, attr.groups())).split() if attr else []
