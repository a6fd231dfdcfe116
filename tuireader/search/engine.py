"""The query side: search an index as a reader types.

No jieba and no pypinyin here (see ``plans.py``). Candidates come from Tantivy: BM25
over jieba tokens, pinyin bigrams and headline initials, headline weighted above body,
top-k collected without scoring every match (block-max WAND), so a common word costs
about what a rare one does. The best of them are re-ranked on their text: exact
matches, same-sound matches (typos and pinyin), fuzzy matches (rapidfuzz), then a
small recency bonus. The timeline (matches per year or month) is the engine's
aggregation over a fast field, not a pass over the hits.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tuireader.search import index as ix
from tuireader.search import stored
from tuireader.search.fields import char_pairs
from tuireader.search.fold import fold
from tuireader.search.plans import Builder, Plan, plan_term
from tuireader.search.query import Query, parse
from tuireader.search.snippet import BodyText, as_written, make_snippet, recency, spans_of
from tuireader.search.sounds import SoundFinder

T = TypeVar("T")

#: Candidates whose bodies are scanned for same-sound text (typos, pinyin); how the
#: others that the index matched on adjacent sounds are treated; and no scan at all.
BODY_SCANS = 4
PRESUME = -1
NO_SCAN = 0
#: Seconds of work a query may take before its optional stages (words apart, typos,
#: scanning bodies) are skipped and the response says it was cut: the search box's
#: figure; the CLI allows more (see ``commands/search.py``).
BOX_BUDGET = 0.3
#: Longest term compared character by character (rapidfuzz) for swapped and dropped
#: characters: the comparison costs the term's length times the text's.
FUZZY_MAX_CHARS = 32
#: Candidates re-ranked beyond the results asked for: one in this many more (the engine's
#: order is already good; each candidate is read back and looked at in Python).
EXTRA_CANDIDATES = 5
#: Candidates' stored fields kept, decompressed, for the next keystrokes (which mostly
#: look at the same candidates): a few megabytes.
_DOC_CACHE = 512


@dataclass
class Result:
    article_id: str
    headline: str
    kicker: str | None
    paper: str | None
    date: str | None
    page: int | None
    section: str | None
    kind: str
    score: float
    snippet: str = ""
    #: (start, end) spans to highlight in ``snippet`` and ``headline``.
    snippet_spans: list[tuple[int, int]] = field(default_factory=list)
    headline_spans: list[tuple[int, int]] = field(default_factory=list)
    #: The strings that matched in this article, to highlight when it opens.
    terms: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "article_id": self.article_id,
            "headline": self.headline,
            "kicker": self.kicker,
            "paper": self.paper,
            "date": self.date,
            "page": self.page,
            "section": self.section,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }


@dataclass
class Response:
    query: Query
    results: list[Result]
    took_ms: float
    #: False while the index is still being built: results cover what is ready.
    complete: bool = True
    indexed: int = 0
    #: True when the time budget ran out: the results are what was found by then.
    cut: bool = False
    #: Matches per year ("1966") or, when they span two years or less, per month ("1966-05").
    timeline: dict[str, int] = field(default_factory=dict)
    #: The engine's query whose matches the timeline counts, when the search was asked
    #: to leave the timeline for later (``Searcher.timeline``).
    counted: Any = field(default=None, repr=False, compare=False)


class _Clock:
    """A query's time budget, in CPU seconds of the searching thread: a machine busy
    with other work slows a query down but does not make it do less."""

    def __init__(self, budget: float | None):
        self.start = time.thread_time()
        self.budget = budget
        self.cut = False

    def over(self) -> bool:
        if self.budget is not None and time.thread_time() - self.start > self.budget:
            self.cut = True
        return self.cut


class _View:
    """One opened index: the Tantivy index, and the readings stored beside it."""

    def __init__(self, path: Path, key: str):
        self.path = path
        self.index = ix.open_index(path, key)
        self.codec = ix.codec(path)  # how its stored values are read
        self.build = ix.read_marker(path).get("build")
        self.schema = self.index.schema
        self.builder = Builder(self.schema)
        self.stamp = self._stamp()
        self.searcher = self.index.searcher()
        self._readings: dict[str, Any] | None = None
        self._chars: dict[str, tuple[str, ...]] = {}
        self._sounds: dict[str, str] | None = None
        self._initials: dict[str, str] | None = None
        self._words: dict[str, bool] = {}
        self._complete: bool | None = None

    @property
    def complete(self) -> bool:
        """Whether the last update finished (read again only after the writer wrote it)."""
        if self._complete is None:
            self._complete = ix.read_complete(self.path)
        return self._complete

    def _stamp(self) -> tuple:
        """What changes when the writer commits: tantivy's meta.json, our readings and state."""
        out: list[tuple[int, int, int] | None] = []
        for file in (ix.tantivy_dir(self.path) / "meta.json", self.path / "readings.marshal",
                     self.path / "status.json"):
            try:
                st = file.stat()
                out.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def refresh(self) -> None:
        """Pick up what the writer committed since (a stat per search; a reload when it changed)."""
        stamp = self._stamp()
        if stamp != self.stamp:
            self.index.reload()
            self.searcher = self.index.searcher()
            self._words.clear()
            if stamp[1] != self.stamp[1]:
                self._readings = None
                self._chars.clear()
            if stamp[2] != self.stamp[2]:
                self._complete = None
            self.stamp = stamp

    def _table(self) -> dict[str, Any]:
        if self._readings is None:
            self._readings = ix.read_readings(self.path)
        return self._readings

    def readings(self, ch: str) -> tuple[str, ...]:
        got = self._chars.get(ch)
        if got is None:
            py = self._table()["chars"].get(ch)
            got = self._chars[ch] = tuple(py.split(",")) if py else ()
        return got

    def sound_chars(self, key: str) -> str:
        """Characters read as syllable ``key``; the table is made on first use (~40k characters)."""
        if self._sounds is None:
            sounds: dict[str, dict[str, None]] = {}
            for ch, py in self._table()["chars"].items():
                for r in py.split(","):
                    sounds.setdefault(r, {})[ch] = None
            self._sounds = {k: "".join(v) for k, v in sounds.items()}
        return self._sounds.get(key, "")

    def initials(self) -> dict[str, str]:
        if self._initials is None:
            self._initials = {ch: py[:1] for ch, py in self._table()["chars"].items()}
        return self._initials

    def is_word(self, piece: str) -> bool:
        """Whether some article has ``piece`` as a token (a word of the index's vocabulary)."""
        got = self._words.get(piece)
        if got is None:
            s = self.searcher
            got = any(s.doc_freq(f, piece) > 0 for f in ix.WORD_FIELDS)
            if len(self._words) > 50_000:
                self._words.clear()
            self._words[piece] = got
        return got

    def word_reading(self, piece: str) -> str:
        special = self._table()["words"].get(piece)
        if special:
            return special
        return " ".join((self.readings(c) or ("?",))[0] for c in piece)


class Searcher:
    """Searches one library's index. Thread-safe; cheap to create."""

    def __init__(self, roots: Iterable[Path]):
        roots = list(roots)
        self.path = ix.index_path(roots)
        self.key = ix.library_key(roots)
        self._view: _View | None = None
        self._lock = threading.Lock()
        self._sounds = SoundFinder()
        self._read_docs: tuple[Any, OrderedDict[tuple[int, int], stored.Stored]] = (None, OrderedDict())

    # ------------------------------------------------------------ opening

    def _open(self) -> _View | None:
        view = self._view
        if view is not None:
            try:
                if ix.read_marker(self.path).get("build") != view.build or ix.damaged_marker(self.path).exists():
                    view = None  # rebuilt (or found damaged) since: open the new one
            except ix.IndexError_:
                view = None
        if view is None:
            try:
                view = _View(self.path, self.key)
            except ix.IndexDamaged:
                ix.mark_damaged(self.path)  # ours, yet unreadable: the next update rebuilds it
                self._view = None
                raise
            except ix.IndexError_:
                self._view = None  # none yet, or not ours: nothing to search
                return None
        else:
            view.refresh()
        if view is not self._view:
            self._sounds.clear()  # another index: what was found in its texts is no more
        self._view = view
        return view

    def _forget(self, exc: BaseException) -> None:
        if ix.is_damage(exc):
            ix.mark_damaged(self.path)
        self._view = None

    def reset(self) -> None:
        """Forget the opened index (after a rebuild replaced it)."""
        with self._lock:
            self._view = None

    def status(self) -> tuple[bool, int]:
        """(complete, number of articles indexed); (False, 0) when there is no usable index."""
        with self._lock:
            try:
                view = self._open()
            except ix.IndexError_:
                return False, 0
            if view is None:
                return False, 0
            try:
                return view.complete, view.searcher.num_docs
            except (ix.IndexError_, ValueError) as exc:
                self._forget(exc)
                return False, 0

    def read(self, look: Callable[[_View], T]) -> T | None:
        """``look`` at the opened index under the searcher's lock (None: no index yet)."""
        with self._lock:
            view = self._open()
            if view is None:
                return None
            try:
                return look(view)
            except (ValueError, ix.IndexError_) as exc:
                self._forget(exc)  # damaged under us: marked, so the next update rebuilds it
                raise

    # ------------------------------------------------------------ searching

    def search(self, text: str | Query, limit: int = 20, newest: bool = False,
               budget: float | None = BOX_BUDGET, timeline: bool = True) -> Response:
        """The best ``limit`` matches and the timeline of all; past ``budget`` seconds of work
        (None: no limit) the optional stages are skipped and the response says it was ``cut``.
        ``timeline=False`` leaves the counting for ``Searcher.timeline(response)``, so the
        search box shows the results first."""
        start = time.perf_counter()
        query = text if isinstance(text, Query) else parse(text)
        if query.errors:
            return Response(query, [], (time.perf_counter() - start) * 1000)
        clock = _Clock(budget)
        with self._lock:
            view = self._open()
            if view is None or query.empty:
                return Response(query, [], (time.perf_counter() - start) * 1000, complete=view is not None)
            try:
                results, counted = self._search(view, query, limit, newest, clock)
                counts = self._timeline(view, counted) if timeline and counted is not None else {}
                complete = view.complete
            except (ValueError, ix.IndexError_) as exc:
                self._forget(exc)  # damaged under us: marked, so the next update rebuilds it
                raise
        return Response(query, results, (time.perf_counter() - start) * 1000, complete=complete,
                        indexed=view.searcher.num_docs, cut=clock.cut, timeline=counts,
                        counted=None if timeline else counted)

    def timeline(self, response: Response) -> dict[str, int]:
        """The timeline of a search made with ``timeline=False`` (an aggregation over a fast field)."""
        if response.counted is None:
            return dict(response.timeline)
        with self._lock:
            view = self._open()
            if view is None:
                return {}
            try:
                return self._timeline(view, response.counted)
            except (ValueError, ix.IndexError_) as exc:
                self._forget(exc)
                raise

    def _search(self, view: _View, q: Query, limit: int, newest: bool, clock: _Clock) -> tuple[list[Result], Any]:
        """The results, and the engine's query whose matches the timeline counts (None: no timeline)."""
        b = view.builder
        plans = [plan_term(view, t) for t in q.terms] + [plan_term(view, p) for p in q.phrases]
        plans = [p for p in plans if p.strict is not None or p.relaxed is not None]
        filters = self._filters(view, q)
        want = max(limit + limit // EXTRA_CANDIDATES, 30)
        rows: list[tuple] = []
        strict_ids: set[tuple[int, int]] = set()
        counted = None  # the query whose matches the timeline counts
        if plans:
            if all(p.strict is not None for p in plans):
                counted = b.filter(b.all_of([p.strict for p in plans]), filters)
                heads = b.filter(b.all_of([plan_term(view, p.text, b.heads()).strict for p in plans]), filters)
                rows = self._heads_first(view, heads, counted, want)
                strict_ids = {r[0] for r in rows}
            if len(rows) < limit and not clock.over():
                # too few as typed: words apart, and text one edit away (typos), ranked on their text
                wider = b.filter(b.all_of([b.any_of([p.strict, p.relaxed]) for p in plans]), filters)
                more = self._match(view, wider, want)
                seen = {r[0] for r in rows}
                rows += [r for r in more if r[0] not in seen]
                if not strict_ids:
                    counted = wider
        elif q.has_text:
            return [], None
        else:  # filters alone (or exclusions alone): newest first
            counted = filters if filters is not None else view.builder.t.Query.all_query()
            hits = view.searcher.search(counted, limit, count=False, order_by_field="day",
                                        order=view.builder.t.Order.Desc).hits
            rows = [(_key(addr), 0.0, addr) for _, addr in hits]
            strict_ids = {r[0] for r in rows}
        results = self._rerank(view, q, plans, rows, limit, newest, strict_ids, clock)
        return results, counted if results else None

    @classmethod
    def _heads_first(cls, view: _View, heads, query, want: int) -> list[tuple]:
        """The best ``want`` matches of ``query``, asked of the headlines and bylines first
        (``heads``: the same query over those fields): when they hold enough, those are the
        candidates, as a match there outweighs one in a body whatever the article (the
        fields' weights); a pass over a common word's matches in every body is saved."""
        rows = cls._match(view, heads, want)
        return rows if len(rows) >= want else cls._match(view, query, want)

    @staticmethod
    def _match(view: _View, query, want: int) -> list[tuple]:
        if query is None:
            return []
        hits = view.searcher.search(query, want, count=False).hits
        return [(_key(addr), score, addr) for score, addr in hits]

    @staticmethod
    def _filters(view: _View, q: Query):
        b = view.builder
        t = b.t
        clauses = []
        if q.by:
            clauses.append(b.any_of([by_query(b, v) for v in q.by]))
        if q.paper:
            clauses.append(b.any_of([t.Query.regex_query(b.schema, "paperkey", ".*" + re.escape(v) + ".*")
                                     for v in q.paper]))
        if q.page:
            clauses.append(b.any_of([t.Query.range_query(b.schema, "page", t.FieldType.Unsigned, p, p)
                                     for p in q.page]))
        if q.kind:
            clauses.append(b.any_of([t.Query.term_query(b.schema, "kind", k, index_option="basic") for k in q.kind]))
        if q.dates:
            spans = []
            for lo, hi in q.dates:
                low = ix.day_number(lo) if lo != "0000" else 0
                high = int(hi.replace("-", "").ljust(8, "9")) if hi != "9999" else 99_999_999
                spans.append(t.Query.range_query(b.schema, "day", t.FieldType.Unsigned, max(low, 1), high))
            clauses.append(b.any_of(spans))
        return b.all_of(clauses)

    @staticmethod
    def _timeline(view: _View, query) -> dict[str, int]:
        """Matches per month from the engine's aggregation over the ``month`` fast field;
        per year when they span more than two years."""
        agg = view.searcher.aggregate(query, {"m": {"terms": {"field": "month", "size": 10_000}}})
        months = {int(b["key"]): int(b["doc_count"]) for b in agg["m"]["buckets"] if int(b["key"]) > 0}
        if not months:
            return {}
        first, last = min(months) // 100, max(months) // 100
        if last - first < 2:
            return {f"{m // 100:04d}-{m % 100:02d}": n for m, n in sorted(months.items())}
        years: dict[str, int] = {}
        for m, n in sorted(months.items()):
            years[f"{m // 100:04d}"] = years.get(f"{m // 100:04d}", 0) + n
        return years

    # ------------------------------------------------------------ ranking

    def _rerank(self, view: _View, q: Query, plans: list[Plan], rows: list[tuple], limit: int, newest: bool,
                strict_ids: set, clock: _Clock) -> list[Result]:
        if not rows:
            return []
        bm = {r[0]: r[1] for r in rows}
        top = max(bm.values()) or 1.0
        order = {r[0]: i for i, r in enumerate(rows)}  # bm25 rank
        #: (score, result, its body, its headline text, plans to find highlights for, read with 模糊音)
        scored: list[tuple[float, Result, BodyText, str, list[Plan], int]] = []
        for key, _, addr in rows:
            doc = self._stored(view, key, addr)
            aid, headline, kicker, subheads, by_key, paper, date, section, kind = (
                doc.aid, doc.headline, doc.kicker, doc.subheads, doc.bylines, doc.paper, doc.date, doc.section,
                doc.kind)
            page = doc.page
            body_f: BodyText = doc  # its body is read when first needed
            head_text = "\n".join(x for x in (kicker, headline, subheads) if x)
            if q.by and not any(v in (by_key or "") for v in q.by):
                continue  # its bylines hold every pair of a by: name, but not the name
            # bylines count with the headline: a reporter's name finds their articles
            head_by = fold(head_text) + "\n" + (by_key or "")
            if q.excludes or q.phrases:
                all_f = head_by + "\n" + body_f.folded
                if any(p in all_f for p in q.excludes) or any(p not in all_f for p in q.phrases):
                    continue
            matched: list[str] = []
            presumed: list[Plan] = []
            loose: list[int] = []  # how far from what was typed: 1 its sound, 2 near it
            # scanning a body for its sounds is the costly step: only the best few the index
            # matched on adjacent sounds are scanned, the others are taken at the index's word
            scan = BODY_SCANS if key in strict_ids and order[key] < BODY_SCANS else (
                PRESUME if key in strict_ids else NO_SCAN)
            if scan == BODY_SCANS and clock.over():
                scan = PRESUME  # out of time: the index's word for it
            evidence = sum(self._term_score(view, plan, head_by, body_f, matched, len(plans), scan, presumed, loose)
                           for plan in plans)
            if plans and evidence <= 0 and key not in strict_ids:
                continue  # a loose match with nothing of the query in its text
            score = (bm[key] / top if top > 0 else 0.0) + evidence + (recency(date) if date else 0.0)
            res = Result(aid or "", headline or "", kicker, paper, date, page, section, kind or "article", score)
            res.terms = matched
            # what holds the text as typed, then its sound, then something near it; last, what
            # the index matched but the text shows nothing of (a word of the query apart)
            tier = max(loose, default=0) if evidence > 0 else 3
            scored.append((score, res, body_f, head_text, presumed, tier))
        # the tier first (the text as typed, its sound, near it or read with 模糊音, nothing
        # shown), relevance within it, then id: the same library always gives the same order
        scored.sort(key=lambda t: (t[5], -t[0], t[1].article_id))
        if newest:
            scored.sort(key=lambda t: t[1].date or "", reverse=True)  # stable: relevance within a date
        out = []
        for _, res, body_f, head_text, presumed, _ in scored[:limit]:
            for plan in presumed:  # now find what to highlight
                res.terms += self._sound_matches(view, plan, body_f.folded, head=False)
            terms = list(dict.fromkeys(m for m in res.terms if m.strip()))
            res.terms = as_written(terms, head_text, fold(head_text), body_f)
            res.headline_spans = spans_of(res.headline, res.terms)
            if body_f.folded:
                res.snippet, res.snippet_spans = make_snippet(body_f, res.terms)
            else:
                res.snippet, res.snippet_spans = make_snippet(res.headline, res.terms)
            out.append(res)
        return out

    def _stored(self, view: _View, key: tuple[int, int], addr) -> stored.Stored:
        """A candidate's stored fields, kept while the index is unchanged (the same searcher)."""
        searcher, docs = self._read_docs
        if searcher is not view.searcher:
            docs = OrderedDict()
            self._read_docs = (view.searcher, docs)
        doc = docs.get(key)
        if doc is None:
            doc = docs[key] = view.codec.read(view.searcher, addr)
            if len(docs) > _DOC_CACHE:
                docs.popitem(last=False)
        else:
            docs.move_to_end(key)
        return doc

    def _term_score(self, view, plan: Plan, head: str, lazy_body: BodyText, matched: list[str], n_terms: int,
                    scan: int, presumed: list[Plan], loose: list[int]) -> float:
        """Evidence that the text holds the term: exact, same-sound, then fuzzy; head above body."""
        t = plan.text
        weight = 1.0 / n_terms
        if plan.cjk and t in head:
            matched.append(t)
            return 3.0 * weight
        found_head = self._sound_matches(view, plan, head, head=True)
        if found_head:
            matched.extend(found_head)
            if plan.cjk:
                loose.append(1)
            return (2.6 if plan.cjk else 3.0) * weight
        body = lazy_body.folded
        if plan.cjk and t in body:
            matched.append(t)
            return 1.6 * weight
        if scan == PRESUME and plan.sound is not None:
            presumed.append(plan)
            loose.append(1)
            return 1.2 * weight
        found_body = self._sound_matches(view, plan, body, head=False) if scan == BODY_SCANS else []
        if found_body:
            matched.extend(found_body)
            if plan.cjk:
                loose.append(1)
            return 1.3 * weight
        if plan.cjk and 3 <= len(t) <= FUZZY_MAX_CHARS:
            from rapidfuzz import fuzz

            # swapped or dropped characters: the closest stretch of the headline
            # (ranked after every text that holds what was typed, or its sound: an
            # approximation of it is only likelier meant when nothing holds it)
            al = fuzz.partial_ratio_alignment(t, head, score_cutoff=60)
            if al is not None:
                matched.append(head[al.dest_start : al.dest_end])
                loose.append(2)
                return 2.2 * weight * al.score / 100
            al = fuzz.partial_ratio_alignment(t, body, score_cutoff=70)
            if al is not None:
                matched.append(body[al.dest_start : al.dest_end])
                loose.append(2)
                return 1.0 * weight * al.score / 100
        elif not plan.cjk and t.replace(" ", "") in head:
            matched.append(t)
            return 2.0 * weight
        for spec in plan.fuzzy or ():  # 模糊音: found, and ranked after every exact match
            found = self._sounds.matches(view, spec, head, True) or (
                self._sounds.matches(view, spec, body, False) if scan != PRESUME else [])
            if found:
                matched.extend(found)
                loose.append(2)
                return 1.0 * weight
        return 0.0

    def _sound_matches(self, view, plan: Plan, text: str, head: bool = True) -> list[str]:
        """Stretches of ``text`` read as the term sounds (same-sound typos, pinyin, initials)."""
        if plan.sound is None:
            return []
        specs = [("py", plan.sound, "")] if plan.cjk else list(plan.sound)
        for spec in specs:
            found = self._sounds.matches(view, spec, text, head)
            if found:
                return found
        return []


def by_query(b: Builder, name: str):
    """Articles whose bylines hold ``name`` (folded, no spaces): each of its characters'
    adjacent pairs (its one character) as a term of ``bypiece``; a term lookup each, where
    a pattern over every byline of the library grew with it. The pairs can all be there
    without the name: the re-ranking checks the bylines themselves."""
    pieces = [name] if len(name) == 1 else char_pairs(name)
    return b.all_of([b.t.Query.term_query(b.schema, "bypiece", p, index_option="basic")
                     for p in dict.fromkeys(pieces)])


def _key(addr) -> tuple[int, int]:
    return (addr.segment_ord, addr.doc)
