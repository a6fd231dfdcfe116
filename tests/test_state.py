"""Reading state file: round trip, unknown keys kept, a broken file never overwritten."""

from __future__ import annotations

import yaml

from tuireader.store.state import StateStore, default_state_path


def test_round_trip_through_the_file(tmp_path):
    path = tmp_path / "state.yaml"
    store = StateStore(path).load()
    store.mark_read("abcd2345")
    store.mark_read("efgh6789")
    store.set_position("efgh6789", 4)
    store.set_theme("newsprint")
    assert store.save()

    again = StateStore(path).load()
    assert again.problem is None
    assert again.state.read == {"abcd2345", "efgh6789"}
    assert (again.state.last_article, again.state.last_paragraph) == ("efgh6789", 4)
    assert again.state.theme == "newsprint"
    again.mark_unread("abcd2345")
    again.save()
    assert StateStore(path).load().state.read == {"efgh6789"}


def test_default_location_is_the_state_dir(isolated_dirs):
    assert str(default_state_path()).startswith(str(isolated_dirs / "state"))
    assert default_state_path().name == "state.yaml"


def test_nothing_written_without_a_change(tmp_path):
    path = tmp_path / "state.yaml"
    store = StateStore(path).load()
    assert not store.save()
    assert not path.exists()
    store.mark_read("x")
    store.mark_read("x")
    assert store.save()
    assert not store.save()


def test_unknown_keys_from_a_newer_version_are_kept(tmp_path):
    path = tmp_path / "state.yaml"
    path.write_text("version: 2\nfuture_key: {a: 1}\nread: [aaaa]\n", encoding="utf-8")
    store = StateStore(path).load()
    store.mark_read("bbbb")
    store.save()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["future_key"] == {"a": 1}
    assert sorted(data["read"].split()) == ["aaaa", "bbbb"]


def test_chinese_stays_chinese(tmp_path):
    path = tmp_path / "state.yaml"
    store = StateStore(path).load()
    store.set_theme("报纸")
    store.save()
    assert "报纸" in path.read_text(encoding="utf-8")


def test_unparsable_file_is_left_alone(tmp_path):
    path = tmp_path / "state.yaml"
    for broken in (b"read: [unclosed\n", b"read: 5\n", b"- a list\n", b"\xff\xfe\x00garbage",
                   b"last: {paragraph: -1}\n"):
        path.write_bytes(broken)
        store = StateStore(path).load()
        assert store.problem and str(path) in store.problem
        assert store.state.read == set()
        store.mark_read("abcd2345")
        assert not store.save()
        assert path.read_bytes() == broken


def test_yaml_error_names_the_line(tmp_path):
    path = tmp_path / "state.yaml"
    path.write_text("version: 1\nread:\n  - a\n  - [b\n", encoding="utf-8")
    store = StateStore(path).load()
    assert "line" in (store.problem or "")


def test_many_read_ids_round_trip_and_odd_ids_survive(tmp_path):
    path = tmp_path / "state.yaml"
    store = StateStore(path).load()
    ids = [f"id{i:06d}" for i in range(20000)] + ["ab-2", "x.y_z"]
    store.mark_all_read(ids)
    store.save()
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 3000  # several ids a line, readable and quick to parse
    assert StateStore(path).load().state.read == set(ids)
    # An id a hand edit put spaces or Chinese in still comes back whole.
    store.mark_read("带 空格")
    store.save()
    assert "带 空格" in StateStore(path).load().state.read


def test_a_hand_written_list_of_ids_is_read(tmp_path):
    path = tmp_path / "state.yaml"
    path.write_text("read:\n  - aaaa\n  - bbbb\n", encoding="utf-8")
    assert StateStore(path).load().state.read == {"aaaa", "bbbb"}


def test_an_older_snapshot_never_replaces_a_newer_file(tmp_path):
    path = tmp_path / "state.yaml"
    store = StateStore(path).load()
    store.mark_read("first")
    older = store.snapshot()
    store.mark_read("second")
    assert store.save()  # the newer state lands first...
    assert older is not None and not store.write(older)  # ...and the slow older writer backs off
    assert StateStore(path).load().state.read == {"first", "second"}


def test_save_writes_a_snapshot_a_worker_has_not_written_yet(tmp_path):
    path = tmp_path / "state.yaml"
    store = StateStore(path).load()
    store.mark_read("taken-by-a-worker")
    assert store.snapshot() is not None  # a worker took it, and the process ends before it writes
    assert store.save()  # exit: the final save still puts it on disk
    assert StateStore(path).load().state.read == {"taken-by-a-worker"}
    assert not store.save()  # and only once
