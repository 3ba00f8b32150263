"""The corpora's scoring modules, which live with the tests (tests/corpus/, not a package), loaded
by path so the benchmarks score exactly as the quality gates do."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def corpus_module(name: str) -> ModuleType:
    """`tests/corpus/<name>.py` as the module `corpus_<name>`, loaded once."""
    key = f"corpus_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, ROOT / "tests" / "corpus" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules[key] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
