"""The layers stay apart: nothing below the UI imports Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
