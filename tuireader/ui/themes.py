"""Themes: YAML files in the top-level ``themes/`` folder and ``<config dir>/themes/``.

For the app (how to use this module)
------------------------------------
::

    from tuireader.ui.themes import DEFAULT_THEME, load_themes, theme_variable_defaults

    class ReaderApp(App):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            # Textual falls back to these for a theme that does not set our variables
            # (Textual's own, from the palette); without them the .tcss fails to parse.
            return theme_variable_defaults(self.current_theme)

        # at start-up, before setting self.theme:
        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        # problems: one line each ("<file>: key 'x': ...") -> one notice; the theme
        # is skipped, so an unknown saved theme name falls back to DEFAULT_THEME.

The ``terminal`` theme sets ``ansi: true`` (colours such as ``ansi_bright_blue``):
leave ``App.ansi_color`` at its default None, so Textual follows the theme and sends
those as the terminal's own palette codes instead of converting them to RGB. For an
ANSI theme the loader also supplies Textual's ``ansi-background``/``ansi-foreground``,
which Textual's own CSS needs and which its generator leaves out.

Variables our ``.tcss`` may use. Every bundled theme sets all of them; a user theme
may omit any, and the loader fills the gap with ``theme_variable_defaults(theme)``:
solid colours mixed from that theme's own foreground and background (Textual
variables cannot refer to other variables, and a translucent or ``auto`` colour
turns white in ``get_component_rich_style(..., partial=True)``, so every value a
loaded theme carries is a plain, solid one):

===========================  ===============  ======================================
variable                     kind             used for
===========================  ===============  ======================================
``$headline-color``          colour           ``article--headline`` (the strongest)
``$headline-style``          text-style       ``article--headline`` (e.g. ``bold``)
``$kicker-color``            colour           ``article--kicker`` (引题, muted, above)
``$kicker-style``            text-style       ``article--kicker``
``$subheadline-color``       colour           ``article--subheadline`` (副题)
``$subheadline-style``       text-style       ``article--subheadline``
``$byline-color``            colour           ``article--byline`` and the dateline
``$byline-style``            text-style       ``article--byline``
``$paragraph-color``         colour           ``article--paragraph``
``$subhead-color``           colour           ``article--subhead`` (in-text 小标题)
``$subhead-style``           text-style       ``article--subhead``
``$caption-color``           colour           ``article--caption``
``$caption-background``      colour (no auto) the caption block's background
``$caption-border-color``    colour (no auto) the caption block's frame or rule
``$credit-color``            colour           ``article--credit`` (``于江 摄``)
``$jump-color``              colour           ``article--jump`` (下转第2版 →)
``$jump-style``              text-style       ``article--jump`` (e.g. ``underline``)
``$match-color``             colour           ``article--match`` (search hits)
``$match-background``        colour (no auto) ``article--match``
``$read-color``              colour           navigation rows of articles already read
``$section-color``           colour           navigation rows 第N版 + name
===========================  ===============  ======================================

"colour" accepts what Textual's ``color:`` accepts (``#rrggbb``, ``ansi_red``,
``auto 80%``, ``red 50%``); "colour (no auto)" is for ``background:`` and borders,
where Textual has no ``auto``; "text-style" is ``bold``, ``italic``, ``underline``,
``reverse``, ``dim``, ``strike`` or ``none``, alone or combined.

A theme file is a mapping with the fields of ``textual.theme.Theme`` (``name``,
``primary``, ``secondary``, ``accent``, ``foreground``, ``background``, ``surface``,
``panel``, ``boost``, ``warning``, ``error``, ``success``, ``dark``, ``ansi``,
``luminosity_spread``, ``text_alpha``), ``variables:`` (ours above, and any of
Textual's own such as ``block-cursor-background``), and the notes ``description``
and ``author``. ``name`` defaults to the file name without ``.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from textual.color import Color, ColorParseError
from textual.command import DiscoveryHit, Hit, Hits
from textual.content import Content
from textual.theme import Theme, ThemeProvider

from tuireader import paths
from tuireader.i18n import _
from tuireader.store import yamlsafe
from tuireader.store.atomic import read_regular_file
from tuireader.text.sanitize import clean_line

DEFAULT_THEME = "newsprint-dark"
MAX_THEME_BYTES = 64 * 1024

#: Our variables, each with its recipe for a theme that omits it: ``auto N%`` is the
#: theme's foreground mixed N% into its background, ``#rrggbbaa`` that colour mixed
#: into the background by its alpha (``theme_variable_defaults`` does the mixing).
#: As they stand they are also valid Textual values for any theme.
THEME_VARIABLE_DEFAULTS: dict[str, str] = {
    "headline-color": "auto 95%",
    "headline-style": "bold",
    "kicker-color": "auto 70%",
    "kicker-style": "none",
    "subheadline-color": "auto 85%",
    "subheadline-style": "none",
    "byline-color": "auto 60%",
    "byline-style": "none",
    "paragraph-color": "auto 87%",
    "subhead-color": "auto 95%",
    "subhead-style": "bold",
    "caption-color": "auto 80%",
    "caption-background": "#80808018",
    "caption-border-color": "#808080",
    "credit-color": "auto 60%",
    "jump-color": "auto 85%",
    "jump-style": "underline",
    "match-color": "#000000",
    "match-background": "#ffd54f",
    "read-color": "auto 50%",
    "section-color": "auto 75%",
}

#: The same for ANSI themes: names from the terminal's own palette.
ANSI_VARIABLE_DEFAULTS: dict[str, str] = {
    **{name: value for name, value in THEME_VARIABLE_DEFAULTS.items() if name.endswith("-style")},
    "headline-color": "ansi_default",
    "kicker-color": "ansi_default",
    "subheadline-color": "ansi_default",
    "byline-color": "ansi_bright_black",
    "paragraph-color": "ansi_default",
    "subhead-color": "ansi_default",
    "caption-color": "ansi_default",
    "caption-background": "ansi_default",
    "caption-border-color": "ansi_bright_black",
    "credit-color": "ansi_bright_black",
    "jump-color": "ansi_blue",
    "match-color": "ansi_black",
    "match-background": "ansi_yellow",
    "read-color": "ansi_bright_black",
    "section-color": "ansi_default",
}

_AUTO_RE = re.compile(r"^auto (\d{1,3})%$")


def theme_variable_defaults(theme: Theme, colors: dict[str, str] | None = None) -> dict[str, str]:
    """Our variables for ``theme``, as solid colours mixed from its own foreground and
    background (see ``THEME_VARIABLE_DEFAULTS``); for an ANSI theme, palette names.
    ``colors``: the theme's generated colours, when the caller has them already."""
    if theme.ansi:
        return dict(ANSI_VARIABLE_DEFAULTS)
    try:
        colors = colors or theme.to_color_system().generate()
        background = Color.parse(colors["background"])
        foreground = Color.parse(colors["foreground"])
    except Exception:  # noqa: BLE001 - an odd theme gets the generic values
        return dict(THEME_VARIABLE_DEFAULTS)
    out: dict[str, str] = {}
    for name, recipe in THEME_VARIABLE_DEFAULTS.items():
        auto = _AUTO_RE.match(recipe)
        if auto:
            out[name] = background.blend(foreground, int(auto.group(1)) / 100).hex
        elif recipe.startswith("#"):
            color = Color.parse(recipe)
            out[name] = background.blend(color.with_alpha(1), color.a).hex
        else:
            out[name] = recipe
    return out


_COLOR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_BOOL_FIELDS = ("dark", "ansi")
_FLOAT_FIELDS = ("luminosity_spread", "text_alpha")
_NOTE_FIELDS = ("description", "author")
_KNOWN_KEYS = frozenset(("name", "variables", *_COLOR_FIELDS, *_BOOL_FIELDS, *_FLOAT_FIELDS, *_NOTE_FIELDS))

_VARIABLE_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# A declaration value only: no ';', braces or newlines that could smuggle in more CSS.
_SAFE_VALUE_RE = re.compile(r"^[A-Za-z0-9_#%., ()-]{1,64}$")


class ThemeError(Exception):
    """A theme file that cannot be used; the message is one line naming the file and key."""


def bundled_themes_dir() -> Path:
    return paths.bundled_seeds().parent / "themes"


def user_themes_dir() -> Path:
    return paths.config_dir() / "themes"


def load_themes(extra_dirs: Iterable[Path] | None = None) -> tuple[list[Theme], list[str]]:
    """Every usable theme (bundled, then the user's, then ``extra_dirs``) and the problems.

    A later theme with the same name replaces an earlier one, so a user can restyle
    ``newsprint`` by saving their own ``newsprint.yaml``. Bad files are skipped and
    each gives one line in the problems; nothing here raises.
    """
    by_name: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in (bundled_themes_dir(), user_themes_dir(), *(extra_dirs or ())):
        for file in _theme_files(folder, problems):
            try:
                theme = load_theme_file(file)
            except ThemeError as exc:
                problems.append(str(exc))
                continue
            by_name.pop(theme.name, None)
            by_name[theme.name] = theme
    return list(by_name.values()), problems


def _theme_files(folder: Path, problems: list[str]) -> list[Path]:
    try:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    except OSError as exc:
        problems.append(_("{folder}: cannot list themes: {error}").format(folder=folder, error=exc.strerror or exc))
        return []


def load_theme_file(file: Path) -> Theme:
    """Read one theme file; ``ThemeError`` (one line) if it cannot be used."""
    file = Path(file)
    try:
        # Never more than the limit + 1 byte; a device or pipe (a link to /dev/zero) is refused.
        raw = read_regular_file(file, MAX_THEME_BYTES)
    except OSError as exc:
        raise ThemeError(f"{file}: {exc.strerror or exc}") from None
    if len(raw) > MAX_THEME_BYTES:
        raise ThemeError(_("{file}: theme file is larger than 64 KiB").format(file=file))
    try:
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL byte")
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ThemeError(_("{file}: not a UTF-8 text file").format(file=file)) from None
    try:
        # libyaml's parser when present (themes are read on the way to the first screen),
        # refusing duplicate keys, deep nesting, impossible numbers and dates; an alias
        # shares its anchor's node, never copies it.
        data = yamlsafe.load(text, kind="a theme file", allow_aliases=True)
    except yaml.YAMLError as exc:
        line, problem = yamlsafe.describe(exc)
        where = _(" line {n}:").format(n=line) if line is not None else ""
        raise ThemeError(_("{file}:{where} not valid YAML: {problem}").format(
            file=file, where=where, problem=problem)) from None
    if not isinstance(data, dict):
        raise ThemeError(_("{file}: expected a mapping of theme keys, got {kind}").format(file=file, kind=_kind(data)))
    return theme_from_mapping(data, file)


def theme_from_mapping(data: dict[Any, Any], file: Path) -> Theme:
    def fail(key: object, what: str) -> ThemeError:
        return ThemeError(_("{file}: key '{key}': {what}").format(file=file, key=_short(key), what=what))

    for key in data:
        if key not in _KNOWN_KEYS:
            raise fail(key, _("unknown key"))

    name = data.get("name", file.stem)
    # Textual reads "a,b" as a list of names to try, so no commas.
    if not isinstance(name, str) or not name.strip() or not name.isprintable() or "," in name or len(name) > 64:
        raise fail("name", _("expected a short name without commas"))

    fields: dict[str, Any] = {}
    for key in _COLOR_FIELDS:
        if key in data and data[key] is not None:
            value = data[key]
            if not isinstance(value, str) or not _is_theme_color(value):
                raise fail(key, _("not a colour: {value}").format(value=repr(_short(value))))
            fields[key] = value
    if "primary" not in fields:
        raise fail("primary", _("missing (every theme needs a primary colour)"))
    for key in _BOOL_FIELDS:
        if key in data:
            if not isinstance(data[key], bool):
                raise fail(key, _("expected true or false"))
            fields[key] = data[key]
    for key in _FLOAT_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise fail(key, _("expected a number from 0 to 1"))
            fields[key] = float(value)
    for key in _NOTE_FIELDS:
        if key in data and not isinstance(data[key], str):
            raise fail(key, _("expected text"))

    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise fail("variables", _("expected a mapping of variable name to value"))
    checked: dict[str, str] = {}
    for var, value in variables.items():
        key = f"variables.{var}"  # fail() shortens it
        if not isinstance(var, str) or not _VARIABLE_NAME_RE.match(var) or len(var) > 64:
            raise fail(key, _("expected a variable name such as headline-color"))
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise fail(key, _("expected a colour or text style"))
        value = str(value).strip()
        problem = variable_problem(var, value)
        if problem:
            raise fail(key, problem)
        checked[var] = value

    if fields.get("ansi"):
        # Textual's own CSS uses these with ANSI themes and fails to parse without them.
        checked.setdefault("ansi-background", "ansi_default")
        checked.setdefault("ansi-foreground", "ansi_default")
    theme = Theme(name=name, variables=checked, **fields)
    try:  # what Textual will do on registration: catch anything the checks above missed
        colors = theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - any failure here is a bad file, not a crash
        raise ThemeError(_("{file}: not a usable theme: {error}").format(file=file, error=_short(exc))) from None
    missing = {k: v for k, v in theme_variable_defaults(theme, colors).items() if k not in checked}
    missing.update(_solid_textual_colours(theme, checked, colors))
    theme.variables = {**missing, **checked, **_solid_colours(theme, checked, colors)}
    return theme


def _solid_colours(theme: Theme, variables: dict[str, str], colors: dict[str, str]) -> dict[str, str]:
    """Our colour variables given as ``auto N%`` or with transparency, mixed into the
    theme's background: rows drawn with partial component styles would show them white."""
    if theme.ansi:
        return {}
    out: dict[str, str] = {}
    for name, value in variables.items():
        if _variable_kind(name) in ("color", "background"):
            solid = _mix(value, colors["background"])
            if solid:
                out[name] = solid
    return out


#: Textual variables our lists draw with partial styles, and what each sits on.
_SOLID_TEXTUAL = {
    "text-muted": "background",
    "block-cursor-foreground": "block-cursor-background",
    "block-cursor-blurred-background": "surface",
    "block-hover-background": "surface",
}


def _solid_textual_colours(theme: Theme, given: dict[str, str], colors: dict[str, str]) -> dict[str, str]:
    """Solid versions of the Textual colours in ``_SOLID_TEXTUAL`` that the file leaves
    to Textual, whose generated ones are translucent or ``auto``."""
    if theme.ansi:
        return {}
    out: dict[str, str] = {}
    for name, beneath in _SOLID_TEXTUAL.items():
        if name not in given:
            solid = _mix(colors.get(name, ""), colors.get(beneath, ""))
            if solid:
                out[name] = solid
    return out


def _mix(value: str, beneath: str) -> str | None:
    """``value`` ("#rrggbbaa", "auto 60%", "red 50%") laid solid on the colour ``beneath``;
    None when it is solid already or not a colour."""
    from textual.css.styles import Styles

    if not _is_theme_color(beneath):
        return None
    under = Color.parse(beneath)
    if _is_theme_color(value):
        color, auto = Color.parse(value), False
    else:
        try:
            rules = Styles.parse(f"color: {value};", ("theme", "")).get_rules()
        except Exception:  # noqa: BLE001 - not a colour: leave it to Textual
            return None
        if "color" not in rules:
            return None
        color, auto = rules["color"], bool(rules.get("auto_color"))
    if auto:
        color = under.get_contrast_text(color.a)
    elif color.a >= 1:
        return None
    return under.blend(color.with_alpha(1), color.a).hex


def variable_problem(name: str, value: str) -> str | None:
    """Why ``value`` cannot be used for variable ``name``, or None if it can."""
    if not _SAFE_VALUE_RE.match(value):
        return _("not a colour or text style: {value}").format(value=repr(_short(value)))
    kind = _variable_kind(name)
    if kind == "style":
        if _parses("text-style", value):
            return None
        return _("not a text style: {value}").format(value=repr(_short(value)))
    if kind == "color":
        return None if _parses("color", value) else _("not a colour: {value}").format(value=repr(_short(value)))
    if kind == "background":
        return None if _parses("background", value) else _("not a colour: {value}").format(value=repr(_short(value)))
    # One of Textual's own variables, or a user's extra: any colour or text style.
    if any(_parses(prop, value) for prop in ("text-style", "color")):
        return None
    return _("not a colour or text style: {value}").format(value=repr(_short(value)))


def _variable_kind(name: str) -> str | None:
    if name not in THEME_VARIABLE_DEFAULTS:
        return None
    if name.endswith("-style"):
        return "style"
    if name.endswith("-background") or name.endswith("-border-color"):
        return "background"
    return "color"


def _parses(prop: str, value: str) -> bool:
    """Would Textual accept ``prop: value;``? Plain colours and style words are checked
    directly (start-up reads every theme); anything else goes to Textual's parser."""
    from textual.css.constants import VALID_STYLE_FLAGS
    from textual.css.styles import Styles  # part of Textual's CSS parser, already loaded by the app

    if prop == "text-style" and set(value.split()) <= VALID_STYLE_FLAGS:
        return True
    if prop in ("color", "background") and _is_theme_color(value):
        return True
    try:
        rules = Styles.parse(f"{prop}: {value};", ("theme", "")).get_rules()
    except Exception:  # noqa: BLE001 - the parser raises several kinds of error
        return False
    return bool(rules)


def _is_theme_color(value: str) -> bool:
    # Theme fields go through Color.parse (no "auto", no "50%" suffix). A failed parse
    # is slow (it looks for a suggestion), so words with spaces are turned away first.
    if " " in value.strip():
        return False
    try:
        Color.parse(value)
    except (ColorParseError, ValueError):
        return False
    return True


def _kind(value: object) -> str:
    if value is None:
        return "an empty file"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _short(value: object, limit: int = 40) -> str:
    text = str(value).replace("\n", " ")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LiteralThemeProvider(ThemeProvider):
    """Textual's theme picker, but a theme's name is shown as the text it is: Textual's
    own provider reads it as markup, so a theme named ``[bold red]x`` showed styled."""

    async def discover(self) -> Hits:
        for name, callback in self.commands:
            yield DiscoveryHit(Content(clean_line(name)), callback, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback in self.commands:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlighted(name, query, matcher), callback, text=name)


def _highlighted(name: str, query: str, matcher: Any) -> Content:
    """``name`` as plain text, the characters the query matched in the match style."""
    shown = clean_line(name)
    content = Content(shown)
    if shown != name:  # offsets would not line up: show it unhighlighted
        return content
    _score, offsets = matcher.fuzzy_search.match(query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
