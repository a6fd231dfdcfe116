"""The bookmarks file: round trip, refusing broken files, missing articles, merging,
and crash safety and concurrency with real processes."""

from __future__ import annotations

import multiprocessing
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from tests.test_bookmarks_support import (
    DATE,
    LANTERN,
    LANTERN_PARAGRAPHS,
    PAPER,
    SPRING,
    STREET,
    ids_by_headline,
    make_library,
    open_library,
)
from tuireader import paths
from tuireader.store.bookmarks import (
    Bookmark,
    BookmarkFileError,
    BookmarkStore,
    Document,
    UnknownBookmark,
    _read_as_written,
    default_path,
    dump_document,
    parse_document,
    parse_yaml_document,
    resolve_paragraph,
    resolve_path,
)


def bm(article_id: str, **fields) -> Bookmark:
    fields.setdefault("headline", f"标题{article_id}")
    fields.setdefault("saved", "2026-03-05T08:00:00+08:00")
    return Bookmark(article_id=article_id, **fields)


# ------------------------------------------------------------------ round trip


def test_round_trip_keeps_chinese_notes_tags_and_unknown_keys(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    store = BookmarkStore(path)
    store.add(
        bm(
            "k3vq8zta",
            headline=SPRING,
            kicker="春耕时节",
            paper=PAPER,
            date=DATE,
            page=2,
            section="要闻",
            source="p2.txt",
            paragraph=3,
            anchor="合作社负责人介绍",
            note="值得细读：播种机\n第二行笔记",
            tags=["待读", "农业 春耕"[:2]],
        )
    )
    text = path.read_text(encoding="utf-8")
    # Human-readable: Chinese as Chinese, a version key, one field a line.
    assert "值得细读：播种机" in text and "待读" in text and SPRING in text
    assert "\\u" not in text
    data = yaml.safe_load(text)
    assert data["version"] == 1
    entry = data["bookmarks"][0]
    for key in ("article_id", "headline", "kicker", "paper", "date", "page", "section", "source", "paragraph", "saved",
                "note", "tags"):
        assert key in entry
    assert entry["note"] == "值得细读：播种机\n第二行笔记"

    # A newer version wrote keys we do not know, at the top and in an entry.
    data["sync"] = {"peer": "书房电脑", "at": "2026-03-06"}
    entry["colour"] = "红色"
    entry["history"] = [{"opened": 3}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    assert _read_as_written(text) is not None  # what tuireader writes, it reads back quickly
    again = BookmarkStore(path)
    assert again.error is None
    loaded = again.get("k3vq8zta")
    assert loaded.note == "值得细读：播种机\n第二行笔记"
    assert loaded.tags == ["待读", "农业"]
    assert loaded.extra == {"colour": "红色", "history": [{"opened": 3}]}

    # Any rewrite keeps them.
    again.edit("k3vq8zta", tags=["待读", "三农"])
    again.add(bm("second"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["sync"] == {"peer": "书房电脑", "at": "2026-03-06"}
    first = data["bookmarks"][0]
    assert first["colour"] == "红色" and first["history"] == [{"opened": 3}]
    assert first["tags"] == ["待读", "三农"]
    assert first["updated"]  # the edit is dated, so imports know which note is newer
    assert [b.article_id for b in BookmarkStore(path).bookmarks] == ["k3vq8zta", "second"]


def test_hand_written_file_with_unquoted_values_reads_as_written(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            # my reading list
            version: 1
            bookmarks:
              - article_id: 23456789
                headline: 春雨润田
                date: 2026-03-05
                saved: 2026-03-05T08:00:00+08:00
                note: yes
                tags: [待读, 2026]
            """
        ),
        encoding="utf-8",
    )
    store = BookmarkStore(path)
    assert store.error is None
    b = store.get("23456789")
    assert (b.date, b.note, b.tags, b.saved) == ("2026-03-05", "yes", ["待读", "2026"], "2026-03-05T08:00:00+08:00")


text_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(note=text_values, headline=text_values, tags=st.lists(text_values, max_size=4), extra=text_values)
def test_any_text_survives_the_file_unchanged(tmp_path_factory, note, headline, tags, extra):
    tags_read = [t.strip() for t in dict.fromkeys(t.strip() for t in tags) if t.strip()]
    with_extra = Document(bookmarks=[bm("a1", headline=headline, note=note, tags=tags, extra={"x": extra})])
    text = dump_document(with_extra)
    back = parse_document(text, "t.yaml").bookmarks[0]
    assert (back.headline, back.note, back.extra["x"]) == (headline, note, extra)
    assert back.tags == tags_read
    # Nothing a terminal would act on is written raw.
    assert not any(ch in text for ch in "\x1b\x9b\u202e\x07")
    # Without unknown keys the quick line reader takes the file; it must read what YAML reads.
    plain = Document(
        bookmarks=[bm("a1", headline=headline, kicker=extra or None, note=note, tags=tags_read, paragraph=len(note))]
    )
    text = dump_document(plain)
    assert parse_yaml_document(text, "t.yaml") == plain
    quick = _read_as_written(text)
    assert quick is None or quick == plain


def test_the_file_location_follows_option_config_and_reader(tmp_path):
    assert resolve_path("x/b.yaml", tmp_path / "c.yaml") == Path("x/b.yaml")
    assert resolve_path(None, tmp_path / "c.yaml") == tmp_path / "c.yaml"
    assert resolve_path(None, None) == default_path()
    assert default_path().name == "bookmarks.yaml"
    shared = default_path()
    paths.set_reader("alice")
    try:
        assert default_path() != shared and "alice" in str(default_path())
    finally:
        paths.set_reader(None)


# ------------------------------------------------------------------ changes


def test_changes_apply_to_the_file_as_it_is_now_not_to_a_stale_copy(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    one, two = BookmarkStore(path), BookmarkStore(path)  # two sessions, both opened on an empty file
    one.add(bm("a1"))
    two.add(bm("b2"))  # two never saw a1: it must not be lost
    one.edit("b2", note="在一号会话里写的")
    two.remove("a1")
    fresh = BookmarkStore(path)
    assert [b.article_id for b in fresh.bookmarks] == ["b2"]
    assert fresh.get("b2").note == "在一号会话里写的"
    with pytest.raises(UnknownBookmark):
        one.remove("a1")


def test_add_again_updates_instead_of_duplicating_and_undo_restores_in_place(tmp_path):
    store = BookmarkStore(tmp_path / "b.yaml")
    for name in ("a1", "b2", "c3"):
        store.add(bm(name))
    _stored, new = store.add(bm("b2", note="补一句", tags=["待读"], paragraph=4))
    assert not new
    assert [b.article_id for b in store.bookmarks] == ["a1", "b2", "c3"]
    assert (store.get("b2").note, store.get("b2").tags, store.get("b2").paragraph) == ("补一句", ["待读"], 4)
    removed = store.remove("b2")
    assert not store.is_bookmarked("b2")
    store.restore(removed)
    assert [b.article_id for b in BookmarkStore(store.path).bookmarks] == ["a1", "b2", "c3"]
    assert store.get("b2").note == "补一句"


def test_newest_first(tmp_path):
    store = BookmarkStore(tmp_path / "b.yaml")
    store.add(bm("old", saved="2026-01-01T09:00:00+08:00"))
    store.add(bm("new", saved="2026-01-02T09:00:00+08:00"))
    store.add(bm("mid", saved="2026-01-01T12:00:00+00:00"))  # 20:00 in Beijing: after "old"
    assert [b.article_id for b in store.newest_first()] == ["new", "mid", "old"]


def test_merge_newer_note_and_union_of_tags_win(tmp_path):
    store = BookmarkStore(tmp_path / "b.yaml")
    store.add(bm("a1", note="旧笔记", tags=["待读"], updated="2026-03-01T10:00:00+08:00"))
    store.add(bm("b2", note="我这边更新", tags=["法治"], updated="2026-03-09T10:00:00+08:00"))
    added, updated = store.merge(
        [
            bm("a1", note="新笔记", tags=["春耕", "待读"], updated="2026-03-02T10:00:00+08:00"),
            bm("b2", note="那边较旧", tags=["旧"], updated="2026-03-03T10:00:00+08:00"),
            bm("c3", note="只在那边"),
        ]
    )
    assert (added, updated) == (1, 2)
    fresh = BookmarkStore(store.path)
    assert fresh.get("a1").note == "新笔记" and fresh.get("a1").tags == ["待读", "春耕"]
    assert fresh.get("b2").note == "我这边更新" and fresh.get("b2").tags == ["法治", "旧"]
    assert fresh.get("c3").note == "只在那边"


# ------------------------------------------------------------------ broken files

BROKEN = {
    "bad_yaml": (b"version: 1\nbookmarks:\n  - article_id: a1\n    note: [unclosed\n", 5),
    "bad_indent": (b"version: 1\nbookmarks:\n- article_id: a1\n  headline: x\n bad: y\n", 5),
    "page_not_a_number": (b"version: 1\nbookmarks:\n- article_id: a1\n  page: \xe4\xba\x8c\n", 4),
    "tags_not_a_list": (b"version: 1\nbookmarks:\n- article_id: a1\n- article_id: b2\n  tags: {a: 1}\n", 5),
    "entry_not_a_mapping": (b"version: 1\nbookmarks:\n- article_id: a1\n- just text\n", 4),
    "no_article_id": (b"version: 1\nbookmarks:\n- headline: x\n", 3),
    "bookmarks_not_a_list": (b"version: 1\nbookmarks: 3\n", 2),
    "version_not_a_number": (b"version: one\nbookmarks: []\n", 1),
    "saved_not_a_time": (b"version: 1\nbookmarks:\n- article_id: a1\n  saved: yesterday\n", 4),
    "top_is_a_list": (b"- article_id: a1\n", 1),
    "binary": (b"version: 1\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 4),
    "not_utf8": (b"version: 1\nbookmarks:\n- article_id: a1\n  note: \xb4\xfa\xb6\xc1\n", 4),
    "control_character": (b"version: 1\nbookmarks:\n- article_id: a1\n  note: a\x1b[2Jb\n", 4),
    "alias": (b"version: 1\nnote: &n hi\nbookmarks:\n- article_id: a1\n  note: *n\n", 5),
}


def billion_laughs(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]")
    return ("\n".join(lines) + "\nversion: 1\nbookmarks: []\n").encode()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_read_only_never_written_and_the_message_names_the_line(tmp_path, name):
    raw, line = BROKEN[name]
    path = tmp_path / "bookmarks.yaml"
    path.write_bytes(raw)
    store = BookmarkStore(path)
    assert store.read_only
    assert str(store.error).startswith(f"{path}: line {line}:"), str(store.error)
    assert "\n" not in str(store.error)
    for change in (
        lambda: store.add(bm("new")),
        lambda: store.remove("a1"),
        lambda: store.edit("a1", note="x"),
        lambda: store.merge([bm("new")]),
        lambda: store.restore([(0, bm("new"))]),
    ):
        with pytest.raises(BookmarkFileError):
            change()
    assert path.read_bytes() == raw
    # Fixed by hand: writable again.
    path.write_text("version: 1\nbookmarks: []\n", encoding="utf-8")
    store.add(bm("new"))
    assert not store.read_only and BookmarkStore(path).is_bookmarked("new")


def test_a_yaml_bomb_is_refused_at_once(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    path.write_bytes(billion_laughs())
    started = time.monotonic()
    store = BookmarkStore(path)
    assert time.monotonic() - started < 5  # a hang guard: it is refused, never expanded
    assert store.read_only and "alias" in str(store.error) and "line 2" in str(store.error)
    deep = b"version: 1\nbookmarks: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    path.write_bytes(deep)
    store = BookmarkStore(path)
    # Refused as too deeply nested, by our reader or (PyYAML >= 6.0.4) by PyYAML's own limit.
    assert store.read_only and "nest" in str(store.error)


def test_a_folder_in_place_of_the_file_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    path.mkdir()
    store = BookmarkStore(path)
    assert store.read_only and str(path) in str(store.error)


# ------------------------------------------------------------------ the library


def test_missing_article_stays_listed_then_is_reattached(tmp_path):
    root = make_library(tmp_path / "lib")
    library = open_library(root)
    ids = ids_by_headline(library)
    store = BookmarkStore(tmp_path / "bookmarks.yaml")
    for headline in (SPRING, STREET):
        store.add(Bookmark.from_article(library.article(ids[headline]), note=f"记下{headline[:2]}"))
    assert store.reconcile(library) == set()

    # The street article leaves the library; the spring one moves to page 5 (a new id).
    make_library(root, spring_page=5, with_street=False)
    moved = open_library(root)
    new_spring = ids_by_headline(moved)[SPRING]
    assert new_spring != ids[SPRING]
    missing = store.reconcile(moved)
    assert missing == {ids[STREET]}
    # Nothing dropped: the missing one is still there with what it needs to be shown.
    street = store.get(ids[STREET])
    assert (street.headline, street.paper, street.date, street.page, street.note) == (
        STREET, PAPER, DATE, 2, "记下老街"
    )
    # Re-attached by paper, date and headline, and written to the file.
    assert not store.is_bookmarked(ids[SPRING]) and store.is_bookmarked(new_spring)
    on_disk = BookmarkStore(store.path).get(new_spring)
    assert on_disk.page == 5 and on_disk.note == "记下春雨"

    # The street article comes back under its old id.
    make_library(root, spring_page=5, with_street=True)
    assert store.reconcile(open_library(root)) == set()
    assert [b.article_id for b in BookmarkStore(store.path).bookmarks] == [new_spring, ids[STREET]]


def test_reconcile_without_persist_does_not_write(tmp_path):
    root = make_library(tmp_path / "lib")
    library = open_library(root)
    store = BookmarkStore(tmp_path / "bookmarks.yaml")
    store.add(Bookmark.from_article(library.article(ids_by_headline(library)[SPRING])))
    before = store.path.read_bytes()
    make_library(root, spring_page=6)
    moved = open_library(root)
    assert store.reconcile(moved, persist=False) == set()
    assert store.is_bookmarked(ids_by_headline(moved)[SPRING])
    assert store.path.read_bytes() == before


def test_saved_paragraph_is_found_again_by_its_anchor(tmp_path):
    library = open_library(make_library(tmp_path / "lib"))
    article = library.article(ids_by_headline(library)[LANTERN])
    index = next(i for i, b in enumerate(article.blocks) if b.text == LANTERN_PARAGRAPHS[20])
    saved = Bookmark.from_article(article, paragraph=index, anchor=article.blocks[index].text)
    assert resolve_paragraph(saved, article) == index
    shifted = Bookmark.from_article(article, paragraph=index + 7, anchor=article.blocks[index].text)
    assert resolve_paragraph(shifted, article) == index
    beyond = Bookmark.from_article(article, paragraph=10_000)
    assert resolve_paragraph(beyond, article) == len(article.blocks) - 1


# ------------------------------------------------------------------ processes

WRITER = """
import sys
from pathlib import Path
from tuireader.store.bookmarks import Bookmark, BookmarkStore, now_iso
path, action, prefix, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
store = BookmarkStore(path)
print("ready", flush=True)
sys.stdin.readline()  # go: every writer starts at the same moment
for i in range(count):
    if action == "add":
        store.add(Bookmark(f"{prefix}{i}", headline="春雨润田 农户忙春耕", note="笔记" * 10,
                           tags=["待读", "春耕"], saved=now_iso()))
    else:
        store.remove(f"{prefix}{i}")
"""


def run_writers_at_once(path: Path, *jobs: tuple[str, str, int]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), action, prefix, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )
        for action, prefix, count in jobs
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == b"ready"
    for proc in procs:
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    for proc in procs:
        assert proc.wait(timeout=120) == 0


def write_forever(path: Path, prefix: str, ready: int) -> None:
    """The writer the next test kills: adds and edits bookmarks until it is killed."""
    store = BookmarkStore(path)
    os.write(ready, b"r")
    i = 0
    while True:
        store.add(bm(f"{prefix}{i}", note="笔记" * 10, tags=["待读", "春耕"]))
        if i % 3 == 2:
            store.edit(f"{prefix}{i - 1}", note="改过的笔记" * 30)
        i += 1


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_file(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    store = BookmarkStore(path)
    for i in range(100):  # a file big enough that a write takes a while
        store.add(bm(f"seed{i}", note="已有的笔记" * 20))
    # Forked, so a writer starts in milliseconds and the loop can kill it many times.
    fork = multiprocessing.get_context("fork")
    rng = random.Random(5)
    counts = []
    for round_ in range(25):
        ready_r, ready_w = os.pipe()
        writer = fork.Process(target=write_forever, args=(path, f"r{round_}-", ready_w), daemon=True)
        writer.start()
        assert select.select([ready_r], [], [], 60)[0], "the writer did not start"
        assert os.read(ready_r, 1) == b"r"
        os.close(ready_r)
        os.close(ready_w)
        time.sleep(rng.uniform(0.005, 0.25))
        os.kill(writer.pid, signal.SIGKILL)
        writer.join(timeout=30)
        assert writer.exitcode == -signal.SIGKILL
        after = BookmarkStore(path)
        assert after.error is None, f"round {round_}: {after.error}"
        # An independent reader agrees (libyaml's, for speed; still a safe loader).
        assert yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["version"] == 1
        assert all(after.is_bookmarked(f"seed{i}") for i in range(100))
        counts.append(len(after.bookmarks))
    assert counts[-1] > 100, "the writer never got a bookmark written: the test proved nothing"
    assert counts == sorted(counts)
    # Temporary files of killed writes do not pile up: the next save clears them.
    store.add(bm("after"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bookmarks.yaml", "bookmarks.yaml.lock"]


def test_two_processes_adding_100_each_at_once_end_with_all_200(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    run_writers_at_once(path, ("add", "left-", 100), ("add", "right-", 100))
    store = BookmarkStore(path)
    assert store.error is None
    ids = {b.article_id for b in store.bookmarks}
    assert ids == {f"{side}-{i}" for side in ("left", "right") for i in range(100)}
    assert len(store.bookmarks) == 200


def test_one_process_adding_while_another_removes_keeps_both_changes(tmp_path):
    path = tmp_path / "bookmarks.yaml"
    store = BookmarkStore(path)
    for i in range(60):
        store.add(bm(f"old-{i}"))
    run_writers_at_once(path, ("add", "new-", 60), ("remove", "old-", 60))
    assert {b.article_id for b in BookmarkStore(path).bookmarks} == {f"new-{i}" for i in range(60)}
