"""The reader's config file: ``<config dir>/config.yaml`` or ``--config FILE``.

Read only (the app never rewrites it). An invalid file raises ``ConfigError``
with one line naming the file and the key: bad YAML, a duplicate key, nesting
deeper than any config needs, a number too long to read, an impossible date, a
path that is not a regular file (a device, a pipe), a file over 1 MiB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tuireader import paths
from tuireader.i18n import _
from tuireader.store import yamlsafe
from tuireader.store.atomic import read_regular_file

MAX_CONFIG_BYTES = 1 << 20


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line."""


@dataclass(slots=True)
class Config:
    path: Path | None = None
    #: Library folders or files opened when no PATH is given.
    library: list[Path] = field(default_factory=list)
    theme: str | None = None
    #: Binding id -> keys, as Textual's ``App.set_keymap`` takes them.
    keymap: dict[str, str] = field(default_factory=dict)
    #: Widest article column, in cells (about 40 Chinese characters).
    measure: int = 80
    #: None: on unless over SSH.
    animations: bool | None = None
    mouse: bool = True
    #: Links as OSC 8 hyperlinks on their words; False (``hyperlinks: off``) shows the URL, dimmed.
    hyperlinks: bool = True
    bookmarks: Path | None = None
    #: ``zh`` or ``en``; None: from LC_ALL / LC_MESSAGES / LANG (see ``tuireader.i18n``).
    language: str | None = None
    #: Library path -> the paper its People's Daily archive layout files are of (default 人民日报).
    papers: dict[Path, str] = field(default_factory=dict)
    #: The contents list the newest issue first (``order: oldest-first`` turns it round).
    newest_first: bool = True
    #: Where search indexes live (default: the cache folder); one folder lets readers under
    #: several accounts share one index of a library.
    index_dir: Path | None = None


def default_config_path() -> Path:
    return paths.config_dir() / "config.yaml"


def load_config(path: str | Path | None = None) -> Config:
    """Load ``path`` (or the default file, which may be absent)."""
    explicit = path is not None
    file = Path(path) if path is not None else default_config_path()
    try:
        raw = read_regular_file(file, MAX_CONFIG_BYTES)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(_("{file}: config file is larger than 1 MiB").format(file=file))
        data = yamlsafe.load(raw.decode("utf-8-sig"), kind="a config file", allow_aliases=True)
    except ConfigError:
        raise
    except FileNotFoundError:
        if explicit:
            raise ConfigError(_("{file}: config file not found").format(file=file)) from None
        return Config()
    except UnicodeDecodeError:
        raise ConfigError(_("{file}: not UTF-8 text").format(file=file)) from None
    except yaml.YAMLError as exc:
        line, problem = yamlsafe.describe(exc)
        where = _(" line {n}").format(n=line) if line is not None else ""
        raise ConfigError(f"{file}:{where}: {problem}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: {exc.strerror or exc}") from None
    if data is None:
        return Config(path=file)
    if not isinstance(data, dict):
        raise ConfigError(_("{file}: expected a mapping of keys at the top level").format(file=file))
    return _from_mapping(file, data)


def _from_mapping(file: Path, data: dict[str, Any]) -> Config:
    config = Config(path=file)
    base = file.parent

    def fail(key: str, what: str) -> ConfigError:
        return ConfigError(_("{file}: key '{key}': {what}").format(file=file, key=key, what=what))

    for key, value in data.items():
        if key == "library":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise fail(key, _("expected a path or a list of paths"))
            config.library = [(base / Path(v).expanduser()) for v in items]
        elif key == "theme":
            if not isinstance(value, str):
                raise fail(key, _("expected a theme name"))
            config.theme = value
        elif key == "keymap":
            if not isinstance(value, dict):
                raise fail(key, _("expected a mapping of binding id to keys"))
            for k, v in value.items():
                if not isinstance(k, str) or not isinstance(v, str) or not v.strip():
                    raise fail(f"keymap.{k}", _("expected keys as a string, e.g. 'j,down'"))
            config.keymap = dict(value)
        elif key == "measure":
            if not isinstance(value, int) or isinstance(value, bool) or not 20 <= value <= 400:
                raise fail(key, _("expected a whole number of cells from 20 to 400"))
            config.measure = value
        elif key == "animations":
            if not isinstance(value, bool):
                raise fail(key, _("expected true or false"))
            config.animations = value
        elif key == "mouse":
            if not isinstance(value, bool):
                raise fail(key, _("expected true or false"))
            config.mouse = value
        elif key == "hyperlinks":
            if not isinstance(value, bool):  # YAML reads on/off as true/false
                raise fail(key, "expected on or off")
            config.hyperlinks = value
        elif key == "bookmarks":
            if not isinstance(value, str):
                raise fail(key, _("expected a file path"))
            config.bookmarks = base / Path(value).expanduser()
        elif key == "language":
            from tuireader.i18n import LANGUAGES, language_of

            if not isinstance(value, str) or language_of(value) is None:
                raise fail(key, _("expected one of {values}").format(values=", ".join(LANGUAGES)))
            config.language = language_of(value)
        elif key == "order":
            if value not in ("newest-first", "oldest-first"):
                raise fail(key, _("expected newest-first or oldest-first"))
            config.newest_first = value == "newest-first"
        elif key == "papers":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
            ):
                raise fail(key, _("expected a mapping of library path to paper name"))
            config.papers = {base / Path(k).expanduser(): v.strip() for k, v in value.items()}
        elif key == "index_dir":
            if not isinstance(value, str) or not value.strip():
                raise fail(key, "expected a folder path")
            config.index_dir = base / Path(value).expanduser()
        else:
            raise fail(str(key), _("unknown key"))
    return config
