"""Shared test set-up: every test gets its own config, data, state and cache folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
#: ../shared beside the checkout; TUIREADER_SHARED names it for a checkout elsewhere (a worktree).
SHARED = Path(os.environ.get("TUIREADER_SHARED") or REPO.parent / "shared")
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory, monkeypatch):
    """Point platformdirs at a fresh folder so no test touches the user's files."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    # The interface in English unless a test asks for another language.
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    from tuireader import i18n, paths

    paths.set_reader(None)
    i18n.set_language(None)
    yield home


def needs_corpus():
    """Skip marker for tests over ../shared (present in CI and on developer machines)."""
    return pytest.mark.skipif(
        not CORPUS.is_dir() and os.environ.get("CI") != "true",
        reason="../shared/corpus is not beside this checkout",
    )


def sync(test):
    """Run an async Pilot test without needing an async pytest plugin."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run
