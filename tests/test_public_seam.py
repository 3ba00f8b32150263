"""The product reaches httpx and httpcore through their public APIs only (issue 17), so an
upgrade of either cannot silently unpin connections: a private attribute can change meaning in
any release, a public one only with notice."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = sorted(
    path for package in ("crawler", "store", "schedules") for path in (ROOT / package).rglob("*.py")
)
NETWORK_LIBRARIES = ("httpx", "httpcore")
# The interfaces both libraries document for extending them; they have no private state to read.
INTERFACES = {"BaseTransport", "SyncByteStream", "NetworkBackend", "NetworkStream"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str) -> list[str]:
    """Each place `source` touches an httpx/httpcore private name, as `line: what`."""
    tree = ast.parse(source)
    found: list[str] = []
    imports_network = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root, *rest = alias.name.split(".")
                imports_network |= root in NETWORK_LIBRARIES
                if root in NETWORK_LIBRARIES and any(map(_private, rest)):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            root, *rest = node.module.split(".")
            imports_network |= root in NETWORK_LIBRARIES
            if root in NETWORK_LIBRARIES and (
                any(map(_private, rest)) or any(_private(alias.name) for alias in node.names)
            ):
                found.append(f"{node.lineno}: from {node.module} import ...")
    if not imports_network:
        return found
    # In a module that holds httpx/httpcore objects, a private attribute is read only off `self`
    # (an object's own state), and the libraries' classes are extended only through their
    # interfaces: a subclass of a concrete class would read its private state through `self`.
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                if (
                    isinstance(base, ast.Attribute)
                    and isinstance(base.value, ast.Name)
                    and base.value.id in NETWORK_LIBRARIES
                    and base.attr not in INTERFACES
                ):
                    found.append(f"{node.lineno}: class {node.name}({ast.unparse(base)})")
    return found


@pytest.mark.parametrize("path", PRODUCT, ids=lambda path: str(path.relative_to(ROOT)))
def test_product_code_uses_no_private_httpx_or_httpcore_name(path):
    assert private_uses(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import httpx\nold = transport._pool\n",
        "import httpx\ncontext = pool._ssl_context\n",
        "from httpx._transports.default import HTTPTransport\n",
        "import httpcore._sync.connection_pool\n",
        "from httpx import _config\n",
        "import httpx\nclass T(httpx.HTTPTransport):\n    pass\n",
    ],
)
def test_the_check_catches_what_the_old_transport_did(source):
    assert private_uses(source)


def test_the_check_allows_an_objects_own_state_and_the_interfaces():
    source = (
        "import httpx\n"
        "class T(httpx.BaseTransport):\n"
        "    def __init__(self):\n"
        "        self._pool = None\n"
    )
    assert private_uses(source) == []
