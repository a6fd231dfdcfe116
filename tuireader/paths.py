"""Where tuireader keeps things: platformdirs folders, per reader.

No Textual here. ``--reader NAME`` (a shared SSH account) gives each reader
a folder of their own under the data and state folders.
"""

from __future__ import annotations

import re
from pathlib import Path

from platformdirs import PlatformDirs

APP = "tuireader"
_dirs = PlatformDirs(APP, appauthor=False)
# fullmatch, not "$": "$" also matches before a trailing newline ("alice\n").
_READER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

#: Set once by the CLI from ``--reader``; None for a personal account.
reader: str | None = None


def valid_reader_name(name: str) -> bool:
    return bool(_READER_RE.fullmatch(name)) and ".." not in name


def set_reader(name: str | None) -> None:
    global reader
    if name is not None and not valid_reader_name(name):
        raise ValueError(f"invalid reader name {name!r}: use letters, digits, '.', '_' or '-'")
    reader = name


def _per_reader(base: Path) -> Path:
    return base / "readers" / reader if reader else base


def config_dir() -> Path:
    return Path(_dirs.user_config_dir)


def data_dir() -> Path:
    return _per_reader(Path(_dirs.user_data_dir))


def state_dir() -> Path:
    return _per_reader(Path(_dirs.user_state_dir))


def cache_dir() -> Path:
    return Path(_dirs.user_cache_dir)


def log_dir() -> Path:
    return _per_reader(Path(_dirs.user_log_dir))


def bundled_seeds() -> Path:
    """The sample page shipped in the top-level ``seeds/`` folder."""
    return Path(__file__).resolve().parent.parent / "seeds"
