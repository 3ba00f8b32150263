"""marsad's three generic top-level packages (`crawler`, `store`, `schedules`) are its own in the
environment it runs in, and a foreign one of the same name is named at import, not later."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import packages_distributions

import pytest

OURS = ("crawler", "store", "schedules")


@pytest.mark.parametrize("name", OURS)
def test_no_other_installed_distribution_provides_the_same_top_level_package(name):
    # marsad's dependencies (and the test and bench extras) are installed here: one of them
    # shipping a `store` would overwrite ours file by file in site-packages
    assert set(packages_distributions().get(name, ["marsad"])) == {"marsad"}


@pytest.mark.parametrize("name", ["crawler", "store"])
def test_a_foreign_package_of_the_same_name_is_named_at_import(tmp_path, name):
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text('"""Somebody else\'s package."""\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", "import schedules"],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert (
        f"the `{name}` package imported from {tmp_path / name / '__init__.py'} is not marsad's"
        in last
    )
