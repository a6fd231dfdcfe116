"""Starting the reader from the command line: a bad config stops before the app, in one line."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, SEEDS


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tuireader", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def test_invalid_config_is_one_line_naming_file_and_key(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("keymap: [not, a, mapping]\n", encoding="utf-8")
    result = run_cli("--config", str(config), str(SEEDS))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(config) in lines[0] and "keymap" in lines[0]
    assert "Traceback" not in result.stderr
