"""The index's list of source files (``indexed_files``) and the ids a fresh build has met."""

from __future__ import annotations

import marshal
import os

import pytest

from tuireader.search import Searcher, ensure_index, index_path
from tuireader.search import index as ix
from tuireader.search.indexed_files import SeenIds, entry, entry_digest, file_digest, path_key, same_stat


def test_an_entry_says_whether_a_file_may_have_changed_and_whether_it_did(tmp_path):
    page = tmp_path / "01.txt"
    page.write_text("标题\n\n正文。", encoding="utf-8")
    st = page.stat()
    known = entry(st.st_size, st.st_mtime_ns, file_digest(str(page)))
    assert same_stat(known, st.st_size, st.st_mtime_ns)
    assert not same_stat(known, st.st_size, st.st_mtime_ns + 1)
    assert not same_stat(known, st.st_size + 1, st.st_mtime_ns)
    page.write_text("标题\n\n正文改了。", encoding="utf-8")
    assert entry_digest(known) != file_digest(str(page))
    assert path_key(str(page)) != path_key(str(tmp_path / "02.txt"))
    # names of other bytes that decode alike are other files
    assert path_key(os.fsdecode(b"/lib/\xca\xfd.txt")) != path_key(os.fsdecode(b"/lib/\xca\xfe.txt"))


def test_an_id_met_again_is_always_seen_and_a_new_one_seldom():
    seen = SeenIds()
    ids = [f"人民日报/1966-05-{i % 31:02d}/{i % 8}/{i}" for i in range(100_000)]
    first = sum(seen.add(aid) for aid in ids[:50_000])
    assert first < 20
    assert all(seen.add(aid) for aid in ids[:50_000])
    wrongly_seen = sum(seen.add(aid) for aid in ids[50_000:])
    assert wrongly_seen < 20  # each costs only a delete that finds nothing


def test_an_index_whose_list_of_files_is_of_another_form_is_rebuilt_not_trusted(tmp_path):
    root = tmp_path / "lib"
    (root / "2025-06-01").mkdir(parents=True)
    page = root / "2025-06-01" / "01.txt"
    page.write_text("数字法治建设取得新进展\n\n数字法治建设，全面推进。\n", encoding="utf-8")
    ensure_index([root])
    path = index_path([root])
    st = page.stat()
    # the list as an older tuireader wrote it: paths and tuples
    old = {"complete": True, "files": {str(page): (st.st_size, st.st_mtime_ns, "0" * 32)}}
    (path / "state.marshal").write_bytes(marshal.dumps(old))
    with pytest.raises(ix.IndexError_):
        ix.read_state(path)
    stats = ensure_index([root])
    assert stats is not None and stats.rebuilt
    assert list(ix.read_state(path)["files"]) == [path_key(str(page))]
    assert [r.headline for r in Searcher([root]).search("数字法治").results] == ["数字法治建设取得新进展"]
