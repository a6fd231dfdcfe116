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


def test_benchmark_queries_cover_every_kind_and_come_from_the_library(tmp_path):
    import importlib.util
    import sys

    gen = _generator()
    lib = gen.generate_library(tmp_path / "lib", 400, seed=2, text="dictionary")
    spec = importlib.util.spec_from_file_location("bench_queries", Path(gen.__file__).with_name("bench_queries.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)

    queries = module.make_queries(lib, per_kind=3)
    kinds = [k for k, _ in queries]
    assert {k: kinds.count(k) for k in module.KINDS} == dict.fromkeys(module.KINDS, 3)
    text = "".join(p.read_text(encoding="utf-8") for p in lib.rglob("*") if p.is_file())
    for kind, q in queries:
        if kind in ("word", "fragment"):
            assert q in text
        elif kind == "phrase":
            assert q.strip('"') in text
        elif kind in ("typo-swap", "typo-drop"):
            assert len(q) >= 3
        elif kind == "by":
            assert q.startswith("by:") and q[3:] in text
        elif kind == "fullwidth":
            assert any("\uff10" <= c <= "\uff19" for c in q)
