"""Themes: the bundled YAML files load, register and style the article; bad files are
reported in one line naming the file and the key, and skipped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from tuireader import paths
from tuireader.ui.themes import (
    DEFAULT_THEME,
    THEME_VARIABLE_DEFAULTS,
    bundled_themes_dir,
    load_theme_file,
    load_themes,
    theme_variable_defaults,
)

BUNDLED = {"newsprint", "newsprint-dark", "high-contrast", "terminal"}

# Every one of our variables used the way the app's .tcss uses them.
def _css_property(name: str) -> str:
    if name.endswith("-style"):
        return "text-style"
    return "background" if name.endswith(("-background", "-border-color")) else "color"


_CSS = "\n".join(f"#{name} {{ {_css_property(name)}: ${name}; }}" for name in THEME_VARIABLE_DEFAULTS)


class ThemedApp(App):
    CSS = _CSS

    def __init__(self, themes, start: str) -> None:
        super().__init__()
        for theme in themes:
            self.register_theme(theme)
        self.theme = start

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in THEME_VARIABLE_DEFAULTS:
            yield Static(name, id=name)


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / name
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    return file


GOOD = 'name: mine\nprimary: "#336699"\nbackground: "#101010"\n'


def test_bundled_themes_load_without_problems():
    themes, problems = load_themes()
    assert problems == []
    names = {t.name for t in themes}
    assert BUNDLED <= names
    assert DEFAULT_THEME in names
    assert bundled_themes_dir() == paths.bundled_seeds().parent / "themes"


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_each_bundled_theme_sets_every_variable(name):
    theme = next(t for t in load_themes()[0] if t.name == name)
    assert set(THEME_VARIABLE_DEFAULTS) <= set(theme.variables)


def test_light_and_dark_and_ansi():
    themes = {t.name: t for t in load_themes()[0]}
    assert themes["newsprint"].dark is False
    assert themes["newsprint-dark"].dark is True
    assert themes["terminal"].ansi is True
    # The terminal theme must not pin RGB colours: its own palette decides.
    for key, value in themes["terminal"].variables.items():
        if key.endswith(("-color", "-background")):
            assert value.startswith("ansi_"), (key, value)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_each_bundled_theme_styles_the_article(name):
    themes, _ = load_themes()
    theme = next(t for t in themes if t.name == name)

    async def check():
        app = ThemedApp(themes, name)
        async with app.run_test(size=(60, 30)):
            assert app.theme == name
            headline = app.query_one("#headline-color", Static)
            assert headline.styles.color == Color.parse(theme.variables["headline-color"])
            match = app.query_one("#match-background", Static)
            assert match.styles.background == Color.parse(theme.variables["match-background"])
            style = app.query_one("#headline-style", Static)
            assert "bold" in str(style.styles.text_style)

    asyncio.run(check())


def test_headline_differs_from_body_in_every_theme():
    themes, _ = load_themes()
    for theme in themes:
        v = theme.variables
        assert (v["headline-color"], v["headline-style"]) != (v["paragraph-color"], "none"), theme.name
        assert v["match-background"] != theme.background, theme.name


def _luminance(color: Color) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def _contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("name", ["newsprint", "newsprint-dark", "high-contrast"])
def test_bundled_text_colours_are_readable(name):
    """WCAG contrast against what lies beneath: 4.5:1 for text (7:1 in high-contrast),
    3:1 for rows already read, which are faded on purpose."""
    theme = next(t for t in load_themes()[0] if t.name == name)
    v = theme.variables
    page, caption = Color.parse(theme.background), Color.parse(v["caption-background"])
    least = 7 if name == "high-contrast" else 4.5
    for key in ("headline-color", "kicker-color", "subheadline-color", "byline-color", "paragraph-color",
                "subhead-color", "jump-color", "section-color"):
        assert _contrast(Color.parse(v[key]), page) >= least, key
    for key in ("caption-color", "credit-color"):
        assert _contrast(Color.parse(v[key]), caption) >= least, key
    assert _contrast(Color.parse(v["match-color"]), Color.parse(v["match-background"])) >= least
    assert _contrast(Color.parse(v["read-color"]), page) >= (7 if name == "high-contrast" else 3)


@pytest.mark.parametrize("dark", [True, False])
def test_theme_without_our_variables_gets_solid_readable_ones(tmp_path, dark):
    background = "#101010" if dark else "#f0f0f0"
    text = f'name: mine\nprimary: "#336699"\nbackground: "{background}"\ndark: {str(dark).lower()}\n'
    _write(tmp_path, "plain.yaml", text)
    themes, problems = load_themes([tmp_path])
    assert problems == []
    mine = next(t for t in themes if t.name == "mine")
    assert set(THEME_VARIABLE_DEFAULTS) <= set(mine.variables)
    page = Color.parse(background)
    for name in ("headline-color", "paragraph-color", "byline-color", "read-color"):
        color = Color.parse(mine.variables[name])  # solid: no "auto", no alpha
        assert color.a == 1
        assert _contrast(color, page) >= 3, (name, color.hex)
    # Textual's own colours that the navigation list draws with are made solid too.
    for name in ("text-muted", "block-cursor-foreground", "block-cursor-blurred-background"):
        assert Color.parse(mine.variables[name]).a == 1, name
    assert _contrast(Color.parse(mine.variables["text-muted"]), page) >= 3
    # Muted is muted: the byline is closer to the page than the headline is.
    assert _contrast(Color.parse(mine.variables["byline-color"]), page) < _contrast(
        Color.parse(mine.variables["headline-color"]), page
    )

    async def check():
        # Rows drawn with a partial component style (the navigation list) keep the colour:
        # a translucent or "auto" value would come out white there.
        app = ThemedApp(themes, "mine")
        async with app.run_test(size=(60, 30)):
            read = app.query_one("#read-color", Static)
            assert read.styles.color == Color.parse(mine.variables["read-color"])

    asyncio.run(check())


@pytest.mark.parametrize("name", ["textual-light", "textual-dark", "ansi-dark"])
def test_textual_builtin_themes_get_variables_that_fit(name):
    from textual.theme import BUILTIN_THEMES

    theme = BUILTIN_THEMES[name]
    values = theme_variable_defaults(theme)
    assert set(values) == set(THEME_VARIABLE_DEFAULTS)
    if theme.ansi:
        assert all(v.startswith("ansi_") for k, v in values.items() if not k.endswith("-style"))
        return
    page = Color.parse(theme.to_color_system().generate()["background"])
    assert _contrast(Color.parse(values["headline-color"]), page) >= 7
    assert _contrast(Color.parse(values["read-color"]), page) >= 3


def test_user_theme_in_config_dir_is_picked_up():
    folder = paths.config_dir() / "themes"
    _write(folder, "mine.yaml", GOOD + "variables:\n  headline-color: ansi_bright_red\n")
    themes, problems = load_themes()
    assert problems == []
    mine = next(t for t in themes if t.name == "mine")
    assert mine.primary == "#336699"
    assert mine.variables["headline-color"] == "ansi_bright_red"


def test_user_theme_replaces_bundled_one_of_same_name():
    folder = paths.config_dir() / "themes"
    _write(folder, "np.yaml", 'name: newsprint\nprimary: "#000000"\ndark: false\n')
    themes, _ = load_themes()
    assert [t.primary for t in themes if t.name == "newsprint"] == ["#000000"]


def test_name_defaults_to_file_name(tmp_path):
    file = _write(tmp_path, "sepia.yml", 'primary: "#704214"\n')
    assert load_theme_file(file).name == "sepia"


@pytest.mark.parametrize(
    "content, key, what",
    [
        (GOOD.replace("#336699", "#33669"), "primary", "not a colour"),
        (GOOD + "background_colour: red\n", "background_colour", "unknown key"),
        (GOOD + "variables:\n  headline-color: '#ggg000'\n", "variables.headline-color", "not a colour"),
        (GOOD + "variables:\n  headline-style: shiny\n", "variables.headline-style", "not a text style"),
        (GOOD + "variables:\n  caption-background: auto 50%\n", "variables.caption-background", "not a colour"),
        (GOOD + "variables:\n  kicker-color: 'red; } Screen { display: none'\n", "variables.kicker-color",
         "not a colour"),
        (GOOD + "variables:\n  Bad_Name: red\n", "variables.Bad_Name", "variable name"),
        (GOOD + "variables: [1, 2]\n", "variables", "mapping"),
        (GOOD + "dark: maybe\n", "dark", "true or false"),
        ("name: nocolour\n", "primary", "missing"),
        (GOOD.replace("name: mine", "name: 'a,b'"), "name", "without commas"),
    ],
)
def test_bad_theme_file_is_one_line_naming_file_and_key(tmp_path, content, key, what):
    _write(tmp_path, "bad.yaml", content)
    _write(tmp_path, "good.yaml", GOOD.replace("mine", "fine"))
    themes, problems = load_themes([tmp_path])
    assert len(problems) == 1
    line = problems[0]
    assert "\n" not in line
    assert str(tmp_path / "bad.yaml") in line
    assert f"'{key}'" in line
    assert what in line
    names = {t.name for t in themes}
    assert "fine" in names and BUNDLED <= names  # the rest still load


@pytest.mark.parametrize(
    "content, what",
    [
        ("name: x\nprimary: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("", "expected a mapping"),
        ("just text", "expected a mapping"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a UTF-8 text file"),
        (b"name: x\nprimary: '#fff'\n" + b"#" * (64 * 1024), "larger than 64 KiB"),
        ("a: &a [x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n", "unknown key"),
        ("name: x\nprimary: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ],
)
def test_unreadable_theme_files(tmp_path, content, what):
    _write(tmp_path, "broken.yaml", content)
    themes, problems = load_themes([tmp_path])
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'broken.yaml'}:")
    assert what in problems[0]
    assert "\n" not in problems[0]
    assert BUNDLED <= {t.name for t in themes}


def test_yaml_error_names_the_line(tmp_path):
    _write(tmp_path, "broken.yaml", 'name: x\nprimary: "#fff"\nsecondary: [oops\n')
    _, problems = load_themes([tmp_path])
    assert "line 4" in problems[0] or "line 3" in problems[0]


def test_files_other_than_yaml_are_ignored(tmp_path):
    _write(tmp_path, "notes.txt", "not a theme")
    _write(tmp_path, ".hidden.yaml", "garbage: [")
    themes, problems = load_themes([tmp_path])
    assert problems == []


def test_user_ansi_theme_without_textual_ansi_variables_still_runs(tmp_path):
    # Textual's own CSS needs $ansi-background with ANSI themes; the loader supplies it.
    _write(tmp_path, "mono.yaml", "name: mono\nansi: true\nprimary: ansi_red\n")
    themes, problems = load_themes([tmp_path])
    assert problems == []

    async def check():
        app = ThemedApp(themes, "mono")
        async with app.run_test(size=(60, 30)):
            assert app.theme == "mono"
            assert app.query_one("#jump-style", Static).styles.text_style is not None

    asyncio.run(check())


def test_reader_falls_back_to_default_theme_and_says_which_file(tmp_path):
    """A broken user theme chosen in config.yaml: the reader starts in the default theme
    and its notice names the file and the key."""
    from tests.conftest import SEEDS
    from tuireader.store.config import load_config
    from tuireader.ui.app import ReaderApp

    bad = _write(paths.config_dir() / "themes", "sepia.yaml", 'name: sepia\nprimary: "#12345"\n')
    config_file = _write(tmp_path, "config.yaml", "theme: sepia\n")

    said_lines: list[str] = []

    async def check():
        app = ReaderApp([SEEDS], config=load_config(config_file))
        notify = app.notify

        def recording_notify(message, *args, **kwargs):  # what the reader is told
            said_lines.append(str(message))
            return notify(message, *args, **kwargs)

        app.notify = recording_notify
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == DEFAULT_THEME
            said = " ".join(said_lines)
            assert str(bad) in said and "'primary'" in said
            assert "'sepia'" in said  # and that the theme asked for is not there

    asyncio.run(check())


def test_translucent_or_auto_colours_in_a_user_theme_become_solid(tmp_path):
    _write(tmp_path, "soft.yaml", 'name: soft\nprimary: "#336699"\nbackground: "#ffffff"\ndark: false\n'
           "variables:\n  read-color: auto 50%\n  byline-color: 'red 50%'\n  caption-background: '#0000ff33'\n")
    themes, problems = load_themes([tmp_path])
    assert problems == []
    v = next(t for t in themes if t.name == "soft").variables

    def near(value: str, rgb: tuple[int, int, int]) -> bool:
        color = Color.parse(value)
        return color.a == 1 and all(abs(a - b) <= 1 for a, b in zip(color.rgb, rgb, strict=True))

    assert near(v["read-color"], (128, 128, 128))  # black at 50% on white
    assert near(v["byline-color"], (255, 128, 128))  # red at 50% on white
    assert near(v["caption-background"], (204, 204, 255))  # blue at 20% on white
