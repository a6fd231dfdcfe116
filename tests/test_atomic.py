"""Crash-safe writes and locks that never freeze the reader."""

from __future__ import annotations

import fcntl
import os

import pytest

from tuireader.store.atomic import atomic_write_text, file_lock


def test_atomic_write_replaces_whole_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "state.yaml"
    atomic_write_text(target, "old: 1\n")
    atomic_write_text(target, "新: 2\n")
    assert target.read_text(encoding="utf-8") == "新: 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["state.yaml"]


def test_lock_held_elsewhere_times_out_instead_of_hanging(tmp_path):
    target = tmp_path / "bookmarks.yaml"
    fd = os.open(str(target) + ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another open file description: flock conflicts
    try:
        with pytest.raises(TimeoutError, match="locked"):
            with file_lock(target, timeout=0.2):
                pass
    finally:
        os.close(fd)
    with file_lock(target, timeout=0.2):  # free again
        pass
