"""What the figures were measured on: a figure without its machine is not comparable to anything."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# The libraries whose versions move the figures: parser, extractors, database, web face.
KEY_LIBRARIES = (
    "selectolax",
    "trafilatura",
    "readability-lxml",
    "lxml",
    "httpx",
    "sqlite-utils",
    "datasette",
    "datasketch",
    "numpy",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def describe() -> dict[str, Any]:
    """CPU model, cores, memory, OS, Python, SQLite and the key libraries' versions."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "memory_gb": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "libraries": {name: _version(name) for name in KEY_LIBRARIES},
        "argv": " ".join(sys.argv),
    }


def summary(machine: dict[str, Any]) -> str:
    """One line for the top of every table."""
    libraries = ", ".join(f"{k} {v}" for k, v in machine.get("libraries", {}).items() if v)
    memory = f", {machine['memory_gb']} GB RAM" if machine.get("memory_gb") else ""
    return (
        f"{machine.get('cpu')} ({machine.get('cores')} cores{memory}), {machine.get('os')},"
        f" {machine.get('python')}, SQLite {machine.get('sqlite')}; {libraries}"
    )
