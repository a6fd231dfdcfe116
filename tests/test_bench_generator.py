"""The search benchmarks' library generator (dictionary mode): the same size and seed give the
same files, the files parse into exactly the articles asked for, and the text is not a few
paragraphs recombined (which made the search benchmarks flatter the engine)."""

from __future__ import annotations

import re
from pathlib import Path

from tuireader.library import Library

from .test_library_list import _generator


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_dictionary_library_is_reproducible_parses_whole_and_rarely_repeats(tmp_path):
    gen = _generator()
    a = gen.generate_library(tmp_path / "a", 700, seed=5, text="dictionary")
    b = gen.generate_library(tmp_path / "b", 700, seed=5, text="dictionary")
    c = gen.generate_library(tmp_path / "c", 700, seed=6, text="dictionary")
    tree = _tree(a)
    assert tree == _tree(b)
    assert tree != _tree(c)
    names = set(tree)
    assert any(n.endswith(".txt") for n in names) and any(n.endswith(".md") for n in names)  # both layouts

    lib = Library.open([a], use_catalogue=False)
    assert len(lib) == 700
    years = {int(m) for m in re.findall(r"/(\d{4})/\d\d/", "/" + "\n/".join(names))}
    assert min(years) >= 1946 and max(years) <= 2026 and len(years) >= 2

    # The share of Chinese text in runs (between punctuation) seen before: real text
    # repeats about a sixth to a third, the corpus-recombining mode 99.5%.
    text = "\n".join(t.decode("utf-8") for t in tree.values())
    seen: set[str] = set()
    repeated = total = 0
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", text):
        total += len(run)
        if run in seen:
            repeated += len(run)
        seen.add(run)
    assert repeated / total < 0.2
