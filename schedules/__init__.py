"""The daemon, its jobs and the command line: wires `crawler` and `store` together.

marsad installs three generic top-level packages, `crawler`, `store` and `schedules`
(docs/architecture.md, "Package names"). Another distribution's package of the same name in the
environment, or earlier on `sys.path`, would be imported instead of ours and fail far from here
with an error naming neither; so the entry point's package checks the other two at once.
"""

from __future__ import annotations

import importlib

DISTRIBUTION = "marsad"


def _check_ours(name: str) -> None:
    module = importlib.import_module(name)
    if getattr(module, "DISTRIBUTION", None) != DISTRIBUTION:
        where = getattr(module, "__file__", None) or "a namespace package"
        raise ImportError(
            f"marsad: the `{name}` package imported from {where} is not marsad's: another "
            f"installed package is also called `{name}`; install marsad in a virtualenv of its "
            "own (docs/deploy.md)"
        )


for _name in ("crawler", "store"):
    _check_ours(_name)
