"""The interface's language: English in the code, translations in gettext ``.po`` files.

The API is two functions, as in gettext::

    from tuireader.i18n import _, ngettext

    print(_("no such file or folder: {path}").format(path=p))
    print(ngettext("{n} file with problems", "{n} files with problems", n).format(n=n))

The English text is the message id; format it *after* translating (``{name}``
placeholders, so a translation may move them). A string without a translation
stays English.

Text fixed before the language is known (class attributes such as key
bindings, reasons stored with a file's row) is marked with ``N_()``, which
returns it unchanged, and passed through ``_()`` where it is shown; a stored
message that was formatted (``cannot read: {error}``) is translated back from
its templates by ``translate_stored``.

The language is ``language:`` in the config (``zh`` or ``en``), else the first
of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (``zh_CN.UTF-8`` -> zh;
anything else, ``C`` included -> en). The CLI calls ``set_language`` once it
has read the config, and ``ReaderApp`` again with the config it is given,
before any screen; until then the environment decides.

Adding a string:

1. write it in English in the code, wrapped in ``_()`` (or ``ngettext`` when it
   holds a count);
2. add the entry to ``tuireader/locale/zh_CN/LC_MESSAGES/tuireader.po``::

       msgid "no such file or folder: {path}"
       msgstr "没有这个文件或文件夹：{path}"

   or, for a count (Chinese has one form)::

       msgid "{n} file with problems"
       msgid_plural "{n} files with problems"
       msgstr[0] "{n} 个文件有问题"

   Chinese text uses full-width punctuation (，：；（）？！), and keeps every
   placeholder. ``tests/test_i18n.py`` fails on a ``_()``, ``N_()`` or ``ngettext``
   string (a literal, in any module that imports this one) without a
   translation, on a lost placeholder and on half-width punctuation next to
   Chinese.

The ``.po`` file is read by the small parser below on the first translated
string (no build step, no ``.mo`` file, no dependency). A new language is a
new ``locale/<ll_CC>/LC_MESSAGES/tuireader.po`` and an entry in ``LANGUAGES``.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

#: Language code -> the locale folder of its catalogue (None: the English of the code).
LANGUAGES: dict[str, str | None] = {"en": None, "zh": "zh_CN"}
DEFAULT_LANGUAGE = "en"
DOMAIN = "tuireader"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_language: str | None = None
_catalogue: dict[str, str | list[str]] | None = None


class CatalogueError(ValueError):
    """A ``.po`` file this parser cannot read (file and line in the message)."""


def language_of(value: str | None) -> str | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` -> ``zh``; ``en_GB`` -> ``en``; anything else -> None."""
    if not value:
        return None
    code = value.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The language of the first of LC_ALL, LC_MESSAGES, LANG that is set (POSIX order)."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return language_of(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(configured: str | None = None) -> str:
    """Use the configured language, else the environment's; returns the one chosen."""
    global _language, _catalogue
    chosen = language_of(configured) or language_from_environment()
    if chosen != _language:
        _language, _catalogue = chosen, None
    return chosen


def current_language() -> str:
    return _language if _language is not None else set_language()


def _(message: str) -> str:
    """``message`` in the interface's language (unchanged when it has no translation)."""
    found = _messages().get(message)
    if isinstance(found, str) and found:
        return found
    return message


gettext = _


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (gettext's ``gettext_noop``).

    For English kept at import time and translated where it is shown, in the
    language of that moment: key descriptions, longer help, reasons stored in
    the catalogue of files.
    """
    return message


def translate_stored(text: str, templates: Iterable[str]) -> str:
    """``text``, formatted in English from one of ``templates`` and stored (a skipped
    file's reason in the catalogue of files), in the interface's language now.

    The placeholders' values are translated the same way (a reason inside a
    reason); text that fits no template goes through ``_()``.
    """
    for template in templates:
        match = _template_pattern(template).fullmatch(text)
        if match:
            values = {name: translate_stored(value, templates) for name, value in match.groupdict().items()}
            return _(template).format(**values)
    return _(text)


@lru_cache(maxsize=256)
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.S)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n`` (format ``{n}`` into it afterwards)."""
    found = _messages().get(singular)
    if isinstance(found, list) and found and all(found):
        return found[min(_plural_index(current_language(), n), len(found) - 1)]
    return singular if n == 1 else plural


def _plural_index(language: str, n: int) -> int:
    # Chinese has one form; English (and the fallback) two. Another language
    # with other rules gets its own line here (gettext's Plural-Forms, evaluated).
    return 0 if language == "zh" else (0 if n == 1 else 1)


def _messages() -> dict[str, str | list[str]]:
    global _catalogue
    if _catalogue is None:
        folder = LANGUAGES.get(current_language())
        _catalogue = {} if folder is None else load_po(LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po")
    return _catalogue


# ------------------------------------------------------------------ .po files


def load_po(path: Path) -> dict[str, str | list[str]]:
    """A missing catalogue means English; a broken one is a bug in the package."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return parse_po(text, str(path))


def parse_po(text: str, name: str = "<po>") -> dict[str, str | list[str]]:
    """msgid -> msgstr, or -> [msgstr[0], msgstr[1], …] for an entry with a plural.

    Reads what gettext's tools write: comments, ``#, fuzzy`` (skipped, as gettext
    does), strings continued over several lines, the usual escapes. ``msgctxt``
    is not used by tuireader and is refused rather than silently mixed up.
    """
    entries: dict[str, str | list[str]] = {}
    fields: dict[str, str] = {}
    current: str | None = None
    fuzzy = False

    def finish() -> None:
        nonlocal fields, current, fuzzy
        if "msgid" in fields and fields["msgid"] and not fuzzy:
            if "msgid_plural" in fields:
                forms = sorted((k for k in fields if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
                entries[fields["msgid"]] = [fields[k] for k in forms]
            else:
                entries[fields["msgid"]] = fields.get("msgstr", "")
        fields, current, fuzzy = {}, None, False

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if fields:
                    finish()
                fuzzy = True
            continue
        if line.startswith('"'):
            if current is None:
                raise CatalogueError(f"{name}:{number}: a string outside an entry")
            fields[current] += _po_string(line, name, number)
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword == "msgctxt":
            raise CatalogueError(f"{name}:{number}: msgctxt is not supported")
        if keyword not in ("msgid", "msgid_plural", "msgstr") and not (
            keyword.startswith("msgstr[") and keyword.endswith("]") and keyword[7:-1].isdigit()
        ):
            raise CatalogueError(f"{name}:{number}: unknown keyword {keyword!r}")
        if keyword == "msgid" and "msgid" in fields:
            finish()
        current = keyword
        fields[keyword] = _po_string(rest.strip(), name, number)
    finish()
    return entries


def _po_string(token: str, name: str, number: int) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise CatalogueError(f"{name}:{number}: expected a quoted string")
    inner = token[1:-1]
    if "\\" not in inner and '"' not in inner:
        return inner  # most strings: nothing to unescape, and literal_eval is the slow part
    import ast  # only when a catalogue is read

    try:
        value = ast.literal_eval(token)  # C escapes are Python's: \n \t \" \\
    except (ValueError, SyntaxError):
        raise CatalogueError(f"{name}:{number}: bad string {token}") from None
    if not isinstance(value, str):
        raise CatalogueError(f"{name}:{number}: bad string {token}")
    return value
