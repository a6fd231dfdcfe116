"""The Tantivy engine's own promises: the timeline of every search, readers that pick up
what the writer committed, an index shared through ``index_dir:``, and a new issue
searchable after an incremental update, with no rebuild."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.search_support import LIB
from tuireader import cli
from tuireader.search import (
    Indexer,
    Searcher,
    ensure_index,
    index_is_current,
    index_path,
    library_sources,
    open_current_library,
)
from tuireader.search import index as ix

REPO = Path(__file__).resolve().parent.parent


def issue(root: Path, date: str, headline: str, body: str, page: int = 1) -> Path:
    folder = root / date
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{page:02d}.txt"
    path.write_text(f"---\npaper: 晨江日报\ndate: {date}\npage: {page}\nname: 要闻\n---\n\n# {headline}\n\n"
                    f"本报记者 郑好\n\n本报讯 {body}\n", encoding="utf-8")
    return path


@pytest.fixture
def decades(tmp_path) -> Path:
    """Issues from 1966 to 2003: a word that rose and fell."""
    root = tmp_path / "decades"
    for date, n in (("1966-05-16", 1), ("1966-08-08", 2), ("1976-10-06", 1), ("2003-04-01", 1)):
        for page in range(1, n + 1):
            issue(root, date, f"红旗渠通水第{page}版", "红旗渠畔的群众修渠引水,灌溉良田。", page)
    issue(root, "1990-01-01", "冬季运动会开幕", "运动员入场。")
    return root


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_timeline_counts_matches_per_year(decades, capsys):
    ensure_index([decades])
    response = Searcher([decades]).search("红旗渠", limit=1)
    assert len(response.results) == 1  # the timeline counts every match, not the page of results
    assert response.timeline == {"1966": 3, "1976": 1, "2003": 1}
    code, out, _ = run_cli(capsys, "search", "红旗渠", str(decades), "--json", "--limit", "1")
    assert code == 0 and json.loads(out)["timeline"] == {"1966": 3, "1976": 1, "2003": 1}


def test_the_timeline_counts_per_month_within_two_years(decades):
    ensure_index([decades])
    response = Searcher([decades]).search("红旗渠 date:1966")
    assert response.timeline == {"1966-05": 1, "1966-08": 2}
    assert Searcher([decades]).search("量子计算").timeline == {}


def test_the_timeline_of_filters_alone(decades):
    ensure_index([decades])
    assert Searcher([decades]).search("date:1976..2003").timeline == {"1976": 1, "1990": 1, "2003": 1}


def test_a_new_issue_is_searchable_after_an_update_without_a_rebuild(decades):
    ensure_index([decades])
    reader = Searcher([decades])  # opened before the update, as the app's is
    assert reader.search("夜市").results == []
    issue(decades, "2003-04-02", "夜市烟火点亮老街", "入夏以来,老街夜市每晚人头攒动。")
    stats = ensure_index([decades])
    assert stats is not None and not stats.rebuilt and (stats.added, stats.docs) == (1, 1)
    assert [r.headline for r in reader.search("夜市").results] == ["夜市烟火点亮老街"]
    assert reader.search("红旗渠").timeline == {"1966": 3, "1976": 1, "2003": 1}


def test_another_process_reads_while_this_one_writes(decades):
    ensure_index([decades])
    probe = ("import sys; from pathlib import Path; from tuireader.search import Searcher;"
             "s = Searcher([Path(sys.argv[1])]);"
             "print(len(s.search('红旗渠').results), len(s.search('夜市').results))")
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def other() -> str:
        done = subprocess.run([sys.executable, "-c", probe, str(decades)], capture_output=True, text=True, env=env,
                              cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    with ix.try_lock(index_path([decades]), blocking=True) as held:  # a writer at work
        assert held
        assert other() == "5 0"  # the other reader searches what was committed
    issue(decades, "2003-04-02", "夜市烟火点亮老街", "入夏以来,老街夜市每晚人头攒动。")
    ensure_index([decades])
    assert other() == "5 1"


def test_readers_with_another_cache_share_one_index_through_index_dir(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ix, "_index_root", [None])  # this process's setting, restored after
    lib = tmp_path / "lib"
    shutil.copytree(LIB, lib)
    shared = tmp_path / "shared-index"
    config = tmp_path / "config.yaml"
    config.write_text(f"index_dir: {shared}\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "--config", str(config), "index", str(lib))
    assert code == 0, err
    assert (shared / ix.library_key([lib]) / "marker.json").exists()
    # another account: its own cache folder (empty), the same config
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-cache"))
    code, out, err = run_cli(capsys, "--config", str(config), "search", "雨污分流", str(lib), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == "老城区雨污分流改造完工"
    assert "indexing" not in err  # found built, not built again
    assert not (tmp_path / "other-cache" / "tuireader" / "search").exists()


def test_the_same_article_in_two_files_is_found_once(tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(LIB, root)
    Indexer([root], workers=0).update(library_sources(open_current_library([root])))
    found = Searcher([root]).search("雨污分流").results
    assert len({r.article_id for r in found}) == len(found)


def test_quitting_never_waits_for_the_build_which_goes_on_alone(tmp_path):
    root = tmp_path / "big"
    for day in range(1, 29):
        for page in range(1, 21):
            body = "公社社员抢抓农时,春耕生产热火朝天。" * 20
            issue(root, f"1980-02-{day:02d}", f"春耕生产第{day}天第{page}版", body, page)
    # as the app does: the build asked for from a worker thread; the main thread then ends
    script = (
        "import concurrent.futures as cf, sys, threading\n"
        "from pathlib import Path\n"
        "from tuireader.search import ensure_index\n"
        "started = threading.Event()\n"
        "def job():\n"
        "    stats = ensure_index([Path(sys.argv[1])], wait=False, progress=lambda d, t: started.set())\n"
        "    print('finished' if stats is not None else 'left', flush=True)\n"
        "cf.ThreadPoolExecutor(1).submit(job)\n"
        "started.wait(120)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "left"  # the thread stopped waiting when the main thread ended
    deadline = time.monotonic() + 180
    while not index_is_current([root]):  # and the build finished on its own
        assert time.monotonic() < deadline, "the build did not finish"
        time.sleep(0.5)
    assert len(Searcher([root]).search("春耕生产", limit=50).results) == 50


def test_index_dir_in_the_config_is_a_folder_relative_to_the_config(tmp_path):
    from tuireader.store.config import ConfigError, load_config

    config = tmp_path / "config.yaml"
    config.write_text("index_dir: shared/index\n", encoding="utf-8")
    assert load_config(config).index_dir == tmp_path / "shared" / "index"
    config.write_text("index_dir: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="index_dir"):
        load_config(config)


def test_headlines_alone_give_the_page_when_they_hold_enough_and_bodies_count_when_not(tmp_path):
    root = tmp_path / "many"
    for i in range(70):  # more headlines with the word than a page of results
        issue(root, f"2001-{1 + i // 28:02d}-{1 + i % 28:02d}", f"水利建设第{i + 1}期", "田间地头忙春耕。")
    for day in range(1, 6):  # the word in bodies only, in another year
        issue(root, f"1990-03-{day:02d}", f"春耕消息{day}", "各地兴修水利,保障灌溉。")
    ensure_index([root])
    s = Searcher([root])
    for text in ("水利", "shuili", "shui li"):
        results = s.search(text, limit=50).results
        assert len(results) == 50, text
        assert all("水利" in r.headline for r in results), text
        # where the headlines hold too few, the bodies' matches are the results
        only_bodies = s.search(f"{text} date:1990", limit=50).results
        assert sorted(r.headline for r in only_bodies) == [f"春耕消息{d}" for d in range(1, 6)], text
