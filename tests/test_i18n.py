"""The message catalogue: the .po parser, the choice of language, and a Chinese
translation for every string of the CLI, with its placeholders and full-width punctuation."""

from __future__ import annotations

import ast
import re
import string

import pytest

from tests.conftest import REPO
from tuireader import i18n
from tuireader.i18n import CatalogueError, _, language_from_environment, language_of, ngettext, parse_po
from tuireader.store.config import ConfigError, load_config

PO = REPO / "tuireader" / "locale" / "zh_CN" / "LC_MESSAGES" / "tuireader.po"
#: Modules that speak through the catalogue: every one that imports it.
TRANSLATED = sorted(
    p.relative_to(REPO).as_posix()
    for p in (REPO / "tuireader").rglob("*.py")
    if "from tuireader.i18n import" in p.read_text(encoding="utf-8")
)


# ------------------------------------------------------------------ parser


def test_po_parser_reads_entries_plurals_continuations_and_escapes():
    text = r'''
# a comment
msgid ""
msgstr "Language: zh_CN\n"

msgid "one"
msgstr "一"

msgid "long "
"message"
msgstr "长"
"消息\t“引”\"q\""

msgid "{n} file"
msgid_plural "{n} files"
msgstr[0] "{n} 个文件"

#, fuzzy
msgid "unsure"
msgstr "不确定"

msgid "untranslated"
msgstr ""
'''
    entries = parse_po(text)
    assert entries["one"] == "一"
    assert entries["long message"] == '长消息\t“引”"q"'
    assert entries["{n} file"] == ["{n} 个文件"]
    assert "unsure" not in entries  # fuzzy entries are not used, as in gettext
    assert entries["untranslated"] == ""
    assert "" not in entries  # the header is not a message


@pytest.mark.parametrize(
    "text, where",
    [('msgid "a"\nmsgstr "b\n', ":2:"), ('"stray"\n', ":1:"), ('msgctxt "menu"\nmsgid "a"\nmsgstr "b"\n', ":1:"),
     ('msgid "a"\nmsgfoo "b"\n', ":2:")],
)
def test_po_parser_names_the_line_it_cannot_read(text, where):
    with pytest.raises(CatalogueError, match=where):
        parse_po(text, "x.po")


# ------------------------------------------------------- choosing a language


@pytest.mark.parametrize(
    "value, code",
    [("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("zh_TW.Big5", "zh"), ("en_GB.UTF-8", "en"),
     ("C", None), ("POSIX", None), ("fr_FR.UTF-8", None), ("", None)],
)
def test_language_of_locale_names(value, code):
    assert language_of(value) == code


@pytest.mark.parametrize(
    "env, code",
    [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
     ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"), ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),
     ({"LANG": "de_DE.UTF-8"}, "en"), ({}, "en")],
)
def test_language_from_environment_follows_posix_order(env, code):
    assert language_from_environment(env) == code


def test_configured_language_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.set_language("en") == "en"
    assert _("No articles in this library.") == "No articles in this library."
    assert i18n.set_language(None) == "zh"
    assert _("No articles in this library.") == "这个库里没有文章。"


def test_plural_forms_in_both_languages():
    i18n.set_language("en")
    assert [ngettext("{n} file with problems", "{n} files with problems", n).format(n=n) for n in (0, 1, 2)] == [
        "0 files with problems", "1 file with problems", "2 files with problems"]
    i18n.set_language("zh")
    assert ngettext("{n} file with problems", "{n} files with problems", 1).format(n=1) == "1 个文件有问题"
    assert ngettext("{n} file with problems", "{n} files with problems", 5).format(n=5) == "5 个文件有问题"


def test_an_unknown_string_stays_english():
    i18n.set_language("zh")
    assert _("not in the catalogue {x}") == "not in the catalogue {x}"
    assert ngettext("{n} thing", "{n} things", 2) == "{n} things"


@pytest.mark.parametrize("value, language", [("zh", "zh"), ("en", "en"), ("zh_CN", "zh")])
def test_config_language_key(tmp_path, value, language):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"language: {value}\n", encoding="utf-8")
    assert load_config(cfg).language == language


@pytest.mark.parametrize("value", ["fr", "3", "[zh]"])
def test_config_language_key_refuses_other_values(tmp_path, value):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"language: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="language"):
        load_config(cfg)


# --------------------------------------------------------- the catalogue


def _messages_in_code() -> list[tuple[str, str]]:
    """(where, msgid) of every string literal given to _(), N_() or ngettext() in TRANSLATED."""
    found = []
    for rel in TRANSLATED:
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("_", "N_", "ngettext"):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((f"{rel}:{node.lineno}", first.value))
    from tuireader import cli_args as cli  # the grammar and its messages live there since the merge

    found += [("cli.SUMMARIES", text) for text in cli.SUMMARIES.values()]
    found += [("cli._ARGPARSE_MESSAGES", template) for _pattern, template in cli._ARGPARSE_MESSAGES]
    return found


def test_every_cli_message_has_a_chinese_translation():
    catalogue = parse_po(PO.read_text(encoding="utf-8"), str(PO))
    speaking = {"tuireader/cli.py", "tuireader/commands/check.py", "tuireader/commands/dump.py", "tuireader/library.py"}
    assert speaking <= set(TRANSLATED)
    messages = _messages_in_code()
    assert len(messages) > 40  # the scan finds the calls
    missing = [(where, msgid) for where, msgid in messages if not catalogue.get(msgid)]
    assert not missing, missing


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


_CJK = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"
_HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"{_CJK}[,:;?!()]|[,:;?!()]{_CJK}")


def test_translations_keep_placeholders_and_use_full_width_punctuation():
    text = PO.read_text(encoding="utf-8")
    catalogue = parse_po(text, str(PO))
    plural_ids = dict(re.findall(r'msgid "((?:[^"\\]|\\.)*)"\nmsgid_plural "((?:[^"\\]|\\.)*)"', text))
    assert catalogue
    for msgid, translation in catalogue.items():
        forms = translation if isinstance(translation, list) else [translation]
        allowed = _fields(msgid) | _fields(plural_ids.get(msgid, ""))
        for form in forms:
            assert _fields(form) <= allowed, (msgid, form)
            if not isinstance(translation, list):
                assert _fields(form) == _fields(msgid), (msgid, form)
            assert not _HALF_WIDTH_NEXT_TO_CJK.search(form), (msgid, form)


def test_each_message_is_in_the_catalogue_once():
    msgids = re.findall(r'^msgid "((?:[^"\\]|\\.)*)"$', PO.read_text(encoding="utf-8"), re.M)
    doubled = sorted({m for m in msgids if msgids.count(m) > 1})
    assert not doubled  # a second entry would silently replace the first


def test_the_punctuation_check_catches_half_width_brackets():
    assert _HALF_WIDTH_NEXT_TO_CJK.search("(续篇不在本库中)")
    assert not _HALF_WIDTH_NEXT_TO_CJK.search("（续篇不在本库中）")
