"""The search fixture library, indexed once per test module and copied into each test's cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tuireader.search import ensure_index, index_path

LIB = Path(__file__).resolve().parent / "fixtures" / "search" / "lib"


def build_index_once(tmp_path_factory, name: str) -> Path:
    """Index ``LIB`` in a cache folder of its own; returns the index folder."""
    cache_home = tmp_path_factory.mktemp(name)
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    try:
        ensure_index([LIB])
        return index_path([LIB])
    finally:
        if old is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = old


def install_index(built: Path) -> Path:
    """Copy a built index to where this test's cache folder expects it."""
    dest = index_path([LIB])
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(built, dest)
    return dest
