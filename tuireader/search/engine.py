"""The query side: search an index as a reader types.

No jieba and no pypinyin here: a query is split against the index's own
vocabulary, and the readings of characters come from the index's ``chars``
table. Candidates come from SQLite FTS5 (BM25 over jieba tokens, pinyin
bigrams and headline initials, headline weighted above body); the best of them
are re-ranked on their text: exact matches, same-sound matches (typos and
pinyin), fuzzy matches (rapidfuzz), then a small recency bonus.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tuireader.search import index as ix
from tuireader.search.fold import fold, is_cjk
from tuireader.search.pinyin import is_initials, split_pinyin_all
from tuireader.search.query import Query, parse

#: BM25 weights of the FTS columns: head, byline, body, pyhead, pybody, inihead.
_WEIGHTS = (6.0, 2.0, 1.0, 3.0, 0.5, 2.0)
_WORD_COLS = "{head byline body}"
#: Terms of up to this many pinyin bigrams get one candidate clause per place of the edit.
_HOLES_MAX = 12
_PY_COLS = "{pyhead pybody}"
_MAX_WORD = 8
SNIPPET_CHARS = 60
#: Candidates whose bodies are scanned for same-sound text (typos, pinyin); how the
#: others that the index matched on adjacent sounds are treated; and no scan at all.
BODY_SCANS = 4
#: Matches scored by BM25 per query when no filter narrows them (see ``_match``).
SCORE_CAP = 3000
PRESUME = -1
NO_SCAN = 0
#: Seconds of work a query may take before its optional stages (words apart, typos,
#: scanning bodies) are skipped and the response says it was cut: the search box's
#: figure; the CLI allows more (see ``commands/search.py``).
BOX_BUDGET = 0.3
#: Longest term compared character by character (rapidfuzz) for swapped and dropped
#: characters: the comparison costs the term's length times the text's.
FUZZY_MAX_CHARS = 32
#: Compiled same-sound patterns kept per searcher.
_REGEX_CACHE = 512


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


def _q(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass
class _Plan:
    """How one free-text term is matched."""

    text: str
    strict: str | None
    relaxed: str | None
    #: How to find the term's sound in text: syllables (Chinese term); for typed letters,
    #: alternatives ("py", syllables, partial) and ("ini", letters); None when it has none.
    sound: tuple | None = None
    cjk: bool = False


class Searcher:
    """Searches one library's index. Thread-safe; cheap to create."""

    def __init__(self, roots: Iterable[Path]):
        roots = list(roots)
        self.path = ix.index_path(roots)
        self.key = ix.library_key(roots)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._readings: dict[str, tuple[str, ...]] | None = None
        self._sounds: dict[str, str] = {}
        self._regexes: dict[tuple, re.Pattern | None] = {}
        self._initial: dict[str, str] | None = None
        self._initials_cache: dict[str, str] = {}

    # ------------------------------------------------------------ connection

    def _db(self) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self.path.exists():
                return None
            try:
                self._conn = ix.check_db(self.path, self.key)
            except ix.IndexError_:
                return None
        return self._conn

    def _forget(self, exc: sqlite3.DatabaseError) -> None:
        if ix.is_damage(exc):
            ix.mark_damaged(self.path)
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def reset(self) -> None:
        """Forget the open connection (after a rebuild replaced the file)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None

    def status(self) -> tuple[bool, int]:
        """(complete, number of articles indexed); (False, 0) when there is no usable index."""
        with self._lock:
            conn = self._db()
            if conn is None:
                return False, 0
            try:
                complete = conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone()
                count = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                self._forget(exc)
                return False, 0
            return bool(complete and complete[0] == "1"), count

    # ------------------------------------------------------------ searching

    def search(self, text: str | Query, limit: int = 20, newest: bool = False,
               budget: float | None = BOX_BUDGET) -> Response:
        """The best ``limit`` matches; past ``budget`` seconds of work (None: no limit) the
        optional stages are skipped, an index query running over it is interrupted, and the
        response says it was ``cut``."""
        start = time.perf_counter()
        query = text if isinstance(text, Query) else parse(text)
        if query.errors:
            return Response(query, [], (time.perf_counter() - start) * 1000)
        clock = _Clock(budget)
        with self._lock:
            conn = self._db()
            if conn is None or query.empty:
                return Response(query, [], (time.perf_counter() - start) * 1000, complete=conn is not None)
            try:
                results = self._search(conn, query, limit, newest, clock)
                complete = conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone()[0] == "1"
            except sqlite3.DatabaseError as exc:
                self._forget(exc)  # damaged under us: marked, so the next update rebuilds it
                raise
        return Response(query, results, (time.perf_counter() - start) * 1000, complete=complete, cut=clock.cut)

    def _search(self, conn: sqlite3.Connection, q: Query, limit: int, newest: bool, clock: _Clock) -> list[Result]:
        plans = [self._plan(conn, t) for t in q.terms] + [self._plan(conn, p) for p in q.phrases]
        plans = [p for p in plans if p.strict or p.relaxed]
        where, params = self._filters(q)
        want = max(limit * 2, 30)
        rows: list[tuple] = []
        strict_ids: set[int] = set()
        if plans:
            strict = [p.strict for p in plans if p.strict]
            if len(strict) == len(plans):
                rows = self._match(conn, " AND ".join(f"({s})" for s in strict), where, params, want, clock)
                strict_ids = {r[0] for r in rows}
            if len(rows) < limit and not clock.over():
                # too few as typed: words apart, and text one edit away (typos), ranked on their text
                wider = [" OR ".join(f"({x})" for x in (p.strict, p.relaxed) if x) for p in plans]
                more = self._match(conn, " AND ".join(f"({w})" for w in wider), where, params, max(want, 80), clock)
                seen = {r[0] for r in rows}
                rows += [r for r in more if r[0] not in seen]
        elif q.has_text:
            return []
        else:  # filters alone: newest first (the date index walked backwards: no budget needed)
            rows = conn.execute(
                f"SELECT d.id, 0.0 FROM docs d WHERE {where} ORDER BY d.date DESC, d.article_id LIMIT ?",
                (*params, want),
            ).fetchall()
            strict_ids = {r[0] for r in rows}
        return self._rerank(conn, q, plans, rows, limit, newest, strict_ids, clock)

    def _match(self, conn, expr: str, where: str, params: list, want: int, clock: _Clock) -> list[tuple]:
        w = ", ".join(str(x) for x in _WEIGHTS)
        if params:  # filters: score every match that passes them
            sql = (
                f"SELECT d.id, bm25(fts, {w}) AS r FROM fts JOIN docs d ON d.id = fts.rowid "
                f"WHERE fts MATCH ? AND {where} ORDER BY r LIMIT ?"
            )
            args = (expr, *params, want)
        else:
            # BM25 scores every match before sorting: a common word would cost time in
            # proportion to the archive. Score the newest-indexed SCORE_CAP matches only.
            sql = (
                f"SELECT id, r FROM (SELECT rowid AS id, bm25(fts, {w}) AS r FROM fts WHERE fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?) ORDER BY r LIMIT ?"
            )
            args = (expr, SCORE_CAP, want)
        # stopped (OperationalError: interrupted) once the budget is spent: the response says cut
        conn.set_progress_handler(clock.over, 20_000)
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            return []  # out of time (clock.cut says so), or an FTS syntax corner case: no match
        finally:
            conn.set_progress_handler(None, 0)

    @staticmethod
    def _filters(q: Query) -> tuple[str, list]:
        clauses: list[str] = ["1"]
        params: list = []

        def any_of(parts: list[str], values: list) -> None:
            clauses.append("(" + " OR ".join(parts) + ")")
            params.extend(values)

        if q.by:
            any_of(["instr(d.by_key, ?) > 0"] * len(q.by), q.by)
        if q.paper:
            any_of(["instr(lower(coalesce(d.paper, '')), ?) > 0"] * len(q.paper), q.paper)
        if q.page:
            any_of(["d.page = ?"] * len(q.page), q.page)
        if q.kind:
            any_of(["d.kind = ?"] * len(q.kind), q.kind)
        if q.dates:
            parts, values = [], []
            for lo, hi in q.dates:
                parts.append("(substr(d.date, 1, ?) >= ? AND substr(d.date, 1, ?) <= ?)")
                values += [len(lo), lo, len(hi), hi]
            any_of(parts, values)
        return " AND ".join(clauses), params

    # ------------------------------------------------------------ planning

    def _plan(self, conn, term: str) -> _Plan:
        if any(is_cjk(c) for c in term):
            return self._plan_chinese(conn, term)
        return self._plan_latin(term)

    def _split_words(self, conn, text: str) -> list[tuple[str, str | None]]:
        """Split Chinese text into the index's own words: (piece, syllables or None)."""
        cands = {text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + _MAX_WORD) + 1)}
        known: dict[str, str] = {}
        cand_list = list(cands)
        for k in range(0, len(cand_list), 500):
            chunk = cand_list[k : k + 500]
            sql = f"SELECT term, py FROM vocab WHERE term IN ({','.join('?' * len(chunk))})"
            known.update(conn.execute(sql, chunk).fetchall())
        # fewest pieces, longest words: best[i] = (score, where the last piece starts) for text[:i]
        n = len(text)
        best: list[tuple[int, int] | None] = [None] * (n + 1)
        best[0] = (0, 0)
        for i in range(n):
            here = best[i]
            if here is None:
                continue
            for j in range(i + 1, min(n, i + _MAX_WORD) + 1):
                if j - i > 1 and text[i:j] not in known:
                    continue
                score = here[0] + (j - i) ** 2
                there = best[j]
                if there is None or score > there[0]:
                    best[j] = (score, i)
        pieces: list[str] = []
        end = n
        while end > 0:
            start = best[end][1]  # type: ignore[index]  # every end is reachable (single characters)
            pieces.append(text[start:end])
            end = start
        return [(p, known.get(p)) for p in reversed(pieces)]

    def _syllables(self, conn, text: str, words: list[tuple[str, str | None]]) -> list[str | None]:
        readings = self._char_readings(conn, {c for c in text if is_cjk(c)})
        out: list[str | None] = []
        for piece, py in words:
            syl = py.split(" ") if py else []
            if len(syl) != len(piece) or "?" in syl:
                syl = [(readings.get(c) or (None,))[0] if is_cjk(c) else None for c in piece]
            out.extend(syl)
        return out

    def _plan_chinese(self, conn, term: str) -> _Plan:
        words = self._split_words(conn, term)
        syl = self._syllables(conn, term, words)
        wordish = [p for p, py in words if py is not None and any(ch.isalnum() for ch in p)]
        all_known = all(py is not None for p, py in words if any(ch.isalnum() for ch in p))
        bigrams = [f"{a}1{b}" for a, b in zip(syl, syl[1:]) if a and b]
        words_expr = (f"{_WORD_COLS} : (" + " AND ".join(_q(w) for w in wordish) + ")") if wordish and all_known else None
        strict_parts = []
        if bigrams:
            # adjacent sounds: the text as typed, or a same-sound typo of it
            strict_parts.append(f"{_PY_COLS} : (" + " AND ".join(_q(b) for b in dict.fromkeys(bigrams)) + ")")
        elif words_expr:
            strict_parts.append(words_expr)
        if len(term) == 1:
            # one character: headlines first (words starting with it)
            strict_parts.append("{head} : " + _q(term) + "*")
        relaxed = " OR ".join(x for x in (words_expr if bigrams else None, _one_edit_expr(bigrams, wordish)) if x)
        sound = tuple(syl) if len(term) > 1 and all(syl) else None
        return _Plan(term, " OR ".join(strict_parts) or None, relaxed or None, sound, cjk=True)

    def _plan_latin(self, term: str) -> _Plan:
        parts = []
        words = [w for w in re.split(r"[^0-9a-z]+", term) if w]
        alternatives = split_pinyin_all(term) if term.replace(" ", "").replace("'", "").isalpha() else ()
        # a letter or one syllable matches half the archive: headlines first, as for one character
        short = len(term.replace(" ", "")) <= 2 or all(len(syls) <= 1 for syls, _ in alternatives) and alternatives
        word_cols = "{head}" if short else _WORD_COLS
        py_cols = "{pyhead}" if short else _PY_COLS
        if words:
            # a prefix of one or two letters expands to half the index (pinyin tokens too)
            last = words[-1]
            tail = f"({_q(last)} OR {_q(last)}*)" if len(last) >= 3 else (_q(last) if len(words) == 1 else "")
            literal = " AND ".join([_q(w) for w in words[:-1]] + ([tail] if tail else []))
            if literal:
                parts.append(f"{word_cols} : ({literal})")
        sounds: list[tuple] = []
        for syls, partial in alternatives:  # "banan": ban an, ba nan; the index tells
            tokens = [_q(f"{a}1{b}") for a, b in zip(syls, syls[1:])]
            # a one-letter partial syllable expands to too many tokens: the ranking checks it
            if partial and syls and (len(partial) > 1 or len(syls) == 1):
                tokens.append(_q(f"{syls[-1]}1{partial}") + "*")
            if tokens:
                parts.append(f"{py_cols} : (" + " AND ".join(tokens) + ")")
            if len(syls) + bool(partial) > 1:
                sounds.append(("py", tuple(syls), partial))
        letters = term.replace(" ", "")
        if is_initials(letters):
            grams = [letters[i : i + 3] for i in range(len(letters) - 2)] or [letters]
            parts.append("{inihead} : (" + " AND ".join(_q(g) for g in grams) + ")")
            sounds.append(("ini", letters))
        strict = " OR ".join(f"({p})" for p in parts) or None
        return _Plan(term, strict, strict, tuple(sounds) or None, cjk=False)

    # ------------------------------------------------------------ readings

    def _char_readings(self, conn, chars: set[str]) -> dict[str, tuple[str, ...]]:
        if self._readings is None:
            self._readings = {}
        missing = [c for c in chars if c not in self._readings]
        if missing:
            sql = f"SELECT ch, py FROM chars WHERE ch IN ({','.join('?' * len(missing))})"
            for ch, py in conn.execute(sql, missing):
                self._readings[ch] = tuple(py.split(","))
            for c in missing:
                self._readings.setdefault(c, ())
        return {c: self._readings[c] for c in chars}

    def _sound_chars(self, conn, key: str) -> str:
        """Characters read as syllable ``key`` (or, for ``^s``, starting with s); cached."""
        cache = self._sounds
        if key not in cache:
            row = conn.execute("SELECT chars FROM sounds WHERE key=?", (key,)).fetchone()
            cache[key] = row[0] if row else ""
        return cache[key]

    # ------------------------------------------------------------ ranking

    def _rerank(self, conn, q: Query, plans: list[_Plan], rows: list[tuple], limit: int, newest: bool,
                strict_ids: set[int], clock: _Clock) -> list[Result]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        bm = {r[0]: -r[1] for r in rows}
        top = max(bm.values()) or 1.0
        sql = (
            "SELECT d.id, article_id, headline, kicker, subheads, by_key, paper, date, page, section, kind, fhead,"
            f" b.fbody, b.body FROM docs d LEFT JOIN bodies b ON b.id = d.id WHERE d.id IN ({','.join('?' * len(ids))})"
        )
        order = {rowid: i for i, rowid in enumerate(ids)}  # bm25 rank
        scored: list[tuple[float, Result, _LazyBody, str, list[_Plan]]] = []
        for (rowid, aid, headline, kicker, subheads, by_key, paper, date, page, section, kind, head_f, fbody,
             body) in conn.execute(sql, ids):
            body_f = _LazyBody(body, fbody)
            # bylines count with the headline: a reporter's name finds their articles
            head_by = (head_f or "") + "\n" + (by_key or "")
            if q.excludes or q.phrases:
                all_f = head_by + "\n" + body_f.folded
                if any(p in all_f for p in q.excludes) or any(p not in all_f for p in q.phrases):
                    continue
            matched: list[str] = []
            presumed: list[_Plan] = []
            # scanning a body for its sounds is the costly step: only the best few the index
            # matched on adjacent sounds are scanned, the others are taken at the index's word
            scan = BODY_SCANS if rowid in strict_ids and order[rowid] < BODY_SCANS else (
                PRESUME if rowid in strict_ids else NO_SCAN)
            if scan == BODY_SCANS and clock.over():
                scan = PRESUME  # out of time: the index's word for it
            evidence = sum(self._term_score(conn, plan, head_by, body_f, matched, len(plans), scan, presumed)
                           for plan in plans)
            if plans and evidence <= 0 and rowid not in strict_ids:
                continue  # a loose match with nothing of the query in its text
            score = (bm[rowid] / top if top > 0 else 0.0) + evidence + (_recency(date) if date else 0.0)
            res = Result(aid, headline or "", kicker, paper, date, page, section, kind or "article", score)
            res.terms = matched
            head_text = "\n".join(x for x in (kicker, headline, subheads) if x)
            scored.append((score, res, body_f, head_text, presumed))
        # relevance first, then id: the same library always gives the same order
        scored.sort(key=lambda t: (-t[0], t[1].article_id))
        if newest:
            scored.sort(key=lambda t: t[1].date or "", reverse=True)  # stable: relevance within a date
        out = []
        for _, res, body_f, head_text, presumed in scored[:limit]:
            for plan in presumed:  # now find what to highlight
                res.terms += self._sound_matches(conn, plan, body_f.folded, head=False)
            terms = list(dict.fromkeys(m for m in res.terms if m.strip()))
            res.terms = _as_written(terms, head_text, fold(head_text), body_f)
            res.headline_spans = spans_of(res.headline, res.terms)
            if body_f.text:
                res.snippet, res.snippet_spans = make_snippet(body_f.text, res.terms, folded=body_f.folded)
            else:
                res.snippet, res.snippet_spans = make_snippet(res.headline, res.terms)
            out.append(res)
        return out

    def _term_score(self, conn, plan: _Plan, head: str, lazy_body: _LazyBody, matched: list[str], n_terms: int,
                    scan: int, presumed: list[_Plan]) -> float:
        """Evidence that the text holds the term: exact, same-sound, then fuzzy; head above body."""
        t = plan.text
        weight = 1.0 / n_terms
        if plan.cjk and t in head:
            matched.append(t)
            return 3.0 * weight
        found_head = self._sound_matches(conn, plan, head, head=True)
        if found_head:
            matched.extend(found_head)
            return (2.6 if plan.cjk else 3.0) * weight
        body = lazy_body.folded
        if plan.cjk and t in body:
            matched.append(t)
            return 1.6 * weight
        if scan == PRESUME and plan.sound is not None:
            presumed.append(plan)
            return 1.2 * weight
        found_body = self._sound_matches(conn, plan, body, head=False) if scan == BODY_SCANS else []
        if found_body:
            matched.extend(found_body)
            return 1.3 * weight
        if plan.cjk and 3 <= len(t) <= FUZZY_MAX_CHARS:
            from rapidfuzz import fuzz

            # swapped or dropped characters: the closest stretch of the headline
            al = fuzz.partial_ratio_alignment(t, head, score_cutoff=60)
            if al is not None:
                matched.append(head[al.dest_start : al.dest_end])
                return 2.2 * weight * al.score / 100
            al = fuzz.partial_ratio_alignment(t, body, score_cutoff=70)
            if al is not None:
                matched.append(body[al.dest_start : al.dest_end])
                return 1.0 * weight * al.score / 100
        elif not plan.cjk and t.replace(" ", "") in head:
            matched.append(t)
            return 2.0 * weight
        return 0.0

    def _sound_matches(self, conn, plan: _Plan, text: str, head: bool = True) -> list[str]:
        """Stretches of ``text`` read as the term sounds (same-sound typos, pinyin, initials)."""
        if plan.sound is None:
            return []
        specs = [("py", plan.sound, "")] if plan.cjk else list(plan.sound)
        for spec in specs:
            found = self._sound_spec_matches(conn, spec, text, head)
            if found:
                return found
        return []

    def _sound_spec_matches(self, conn, spec: tuple, text: str, head: bool) -> list[str]:
        if spec[0] == "ini":
            return self._initials_matches(conn, spec[1], text) if head else []
        syls, partial = spec[1], spec[2]
        if not syls:
            return []
        rx = self._syllable_regex(conn, syls, bool(partial))
        if rx is None:
            return []
        # the first stretch that sounds right is enough: highlighting finds its other places
        pos = 0
        while True:
            m = rx.search(text, pos)
            if m is None:
                return []
            if partial:
                nxt = m.group(1)
                if not any(r.startswith(partial) for r in self._char_readings(conn, {nxt}).get(nxt, ())):
                    pos = m.start() + 1
                    continue
            return [m.group(0)]

    def _syllable_regex(self, conn, syls: tuple[str, ...], then_any: bool) -> re.Pattern | None:
        key = (syls, then_any)
        if key not in self._regexes:
            classes = []
            for s in syls:
                chars = self._sound_chars(conn, s)
                if not chars:
                    self._regexes[key] = None
                    return None
                classes.append("[" + re.escape(chars) + "]")
            if len(self._regexes) >= _REGEX_CACHE:
                self._regexes.clear()  # a long session's distinct queries: memory stays bounded
            self._regexes[key] = re.compile("".join(classes) + ("(.)" if then_any else ""))
        return self._regexes[key]

    def _initials_matches(self, conn, letters: str, text: str) -> list[str]:
        """Stretches of ``text`` whose characters start with ``letters`` (szfz: 数字法治)."""
        initials = self._initials_of(conn, text)
        out = []
        i = initials.find(letters)
        while i >= 0:
            out.append(text[i : i + len(letters)])
            i = initials.find(letters, i + 1)
        return out

    def _initials_of(self, conn, text: str) -> str:
        """One letter per character of ``text``: the initial of its commonest reading."""
        cached = self._initials_cache.get(text)
        if cached is None:
            if self._initial is None:  # the whole table once: ~40k rows, a few tens of ms
                self._initial = {ch: py[:1] for ch, py in conn.execute("SELECT ch, py FROM chars")}
            table = self._initial
            cached = "".join(table.get(c, "?") for c in text)
            if len(self._initials_cache) > 20_000:
                self._initials_cache.clear()
            self._initials_cache[text] = cached
        return cached


def _one_edit_expr(bigrams: list[str], words: list[str]) -> str | None:
    """Candidates for a query one edit away from the text (a swapped pair, a dropped or
    wrong character).

    An edit at one place breaks at most three adjacent pinyin bigrams. Short terms: all
    bigrams but those three, for each place in turn. Longer ones would make that n
    clauses of n bigrams each (a pasted paragraph: millions of terms), so their bigrams
    are cut into four runs: the three broken bigrams touch at most two runs, so the text
    holds every bigram of two of them. Six clauses of half the bigrams: linear."""
    n = len(bigrams)
    clauses: list[str] = []
    if n > _HOLES_MAX:
        runs = [bigrams[k * n // 4 : (k + 1) * n // 4] for k in range(4)]
        for a in range(4):
            for b in range(a + 1, 4):
                clauses.append("(" + " AND ".join(_q(x) for x in dict.fromkeys(runs[a] + runs[b])) + ")")
        return f"{_PY_COLS} : (" + " OR ".join(clauses) + ")"
    if n >= 4:
        for hole in range(n):
            kept = [b for k, b in enumerate(bigrams) if abs(k - hole) > 1]
            clauses.append("(" + " AND ".join(_q(b) for b in dict.fromkeys(kept)) + ")")
        return f"{_PY_COLS} : (" + " OR ".join(dict.fromkeys(clauses)) + ")"
    tokens = [_q(w) for w in words] + [_q(b) for b in dict.fromkeys(bigrams)]
    return f"{{head byline body pyhead pybody}} : ({' OR '.join(tokens)})" if tokens else None


class _LazyBody:
    """An article body and its folded copy, decompressed only if the ranking needs them."""

    __slots__ = ("_blob", "_fblob", "_text", "_folded")

    def __init__(self, blob: bytes | None, fblob: bytes | None):
        self._blob = blob
        self._fblob = fblob
        self._text: str | None = None
        self._folded: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = ix.unpack(self._blob)
        return self._text

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = ix.unpack(self._fblob)
        return self._folded


def _as_written(terms: list[str], head: str, head_folded: str, body: _LazyBody) -> list[str]:
    """Matched (folded) strings as the article writes them, for highlighting its text.

    Folding keeps positions, so the original is the same stretch of the unfolded text.
    """
    out: dict[str, None] = {}
    for term in terms:
        for original, folded in ((head, head_folded), (body.text, body.folded)):
            if not original:
                continue
            i = folded.find(term)
            if i >= 0:
                out[original[i : i + len(term)]] = None
        out.setdefault(term, None)
    return list(out)


def _recency(date: str) -> float:
    """A small bonus that grows with the issue date: at most 0.1, 0.05 for ~2000."""
    try:
        y = int(date[:4]) + (int(date[5:7]) - 1) / 12
    except ValueError:
        return 0.0
    return max(0.0, min(0.1, (y - 1950) / 1000))


def spans_of(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Every place a term occurs in ``text`` (folded comparison), merged, in order."""
    if not text or not terms:
        return []
    folded = fold(text)  # same length as text: positions carry over
    spans = []
    for term in terms:
        if not term:
            continue
        start = folded.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((start, end))
            start = folded.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


_WHITE = re.compile(r"\s+")


def make_snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS,
                 folded: str | None = None) -> tuple[str, list[tuple[int, int]]]:
    """One line of ``text`` around its first match, and the match spans within it.

    ``folded`` is ``fold(text)`` when the caller has it (the index stores it).
    """
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    first = -1
    for term in terms:
        i = folded.find(term) if term else -1
        if i >= 0 and (first < 0 or i < first):
            first = i
    if first < 0:
        start = 0
    else:
        # from the start when the match is near it, else a little context before the match
        start = 0 if first + 4 <= width * 3 // 4 else max(0, first - width // 4)
    # a window wide enough to hold ``width`` characters once runs of white space are one space
    raw = text[start : start + width * 3]
    raw_folded = folded[start : start + width * 3]
    snippet = _WHITE.sub(" ", raw).strip()[:width]
    window = _WHITE.sub(" ", raw_folded).strip()[:width]
    if len(window) != len(snippet):
        window = fold(snippet)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        i = window.find(term)
        while i >= 0:
            spans.append((i, i + len(term)))
            i = window.find(term, i + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return snippet, merged
