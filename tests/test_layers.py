"""The layers stay apart: nothing below the UI imports Textual, no module imports
itself round a loop, and no widget imports a screen."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import tuireader
from tests.conftest import REPO

UI_FREE = ("tuireader.model", "tuireader.ingest", "tuireader.library", "tuireader.search",
           "tuireader.store", "tuireader.text", "tuireader.commands", "tuireader.paths", "tuireader.cli")


def _modules():
    for info in pkgutil.walk_packages(tuireader.__path__, "tuireader."):
        if info.name.startswith(UI_FREE):
            yield info.name


def test_core_modules_import_no_textual():
    names = sorted(_modules())
    assert "tuireader.library" in names and "tuireader.ingest" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr


# -- imports between tuireader's own modules ------------------------------------------


def _module_files() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) for every module in tuireader/."""
    root = Path(tuireader.__file__).parent
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of tuireader it imports, anywhere in it (in functions, under
    TYPE_CHECKING). ``from pkg import sub`` imports ``sub`` alone; ``from pkg import name``
    imports ``pkg``."""
    modules = _module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, package) in modules.items():
        here = name if package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name].update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from .x import y
                    parts = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    if target in modules:
                        graph[name].add(target)
                    elif base in modules:
                        graph[name].add(base)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_finds_a_loop_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_tuireader_imports_itself_round_a_loop():
    graph = import_graph()
    assert "tuireader.ui.screens.reader" in graph["tuireader.ui.app"]  # the graph is real
    assert "tuireader.restricted" in graph["tuireader.ui.app_base"]  # ...and counts imports in functions
    assert cycles(graph) == []


def test_widgets_import_no_screen():
    """A widget works on whichever screen holds it: it posts messages, it never imports one."""
    graph = import_graph()
    widgets = [name for name in graph if name.startswith("tuireader.ui.widgets.")]
    assert "tuireader.ui.widgets.library_list" in widgets
    bad = {w: sorted(t for t in graph[w] if t.startswith("tuireader.ui.screens") or t == "tuireader.ui.app")
           for w in widgets}
    assert {w: t for w, t in bad.items() if t} == {}
