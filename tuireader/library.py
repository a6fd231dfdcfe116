"""The library: files grouped into issues and sections, bodies parsed on demand.

``Library.open(paths)`` scans every file once and keeps only ``ArticleRef``
summaries (headline, kind, where the article lies); ``article(id)`` parses
its file again when a body is needed, through a small LRU cache, so memory
follows what is being read rather than the size of the archive.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from tuireader.ingest import TEXT_SUFFIXES, IngestError, ParsedFile, parse_file
from tuireader.model import Article, ArticleRef, Issue, Problem, Section, article_id, normalise_headline

#: Parsed files kept in memory for ``article()``.
PARSE_CACHE_SIZE = 64


@dataclass(slots=True)
class SourceFile:
    path: Path  # absolute
    root: Path
    rel: str
    size: int = 0
    mtime_ns: int = 0


@dataclass(slots=True)
class _Entry:
    """An article during the scan, before ids and links are settled."""

    source: SourceFile
    parsed: ParsedFile
    index: int
    article: Article
    body_key: str
    dedupe_key: str | None
    merged: list[str] = field(default_factory=list)


ProgressCallback = Callable[[int, int], None]


class Library:
    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.issues: list[Issue] = []
        self.problems: list[Problem] = []
        self._files: dict[str, SourceFile] = {}  # key: "<root index>:<rel>"
        self._where: dict[str, tuple[Issue, Section, ArticleRef]] = {}
        self._ref_file: dict[str, str] = {}
        self._merged: dict[str, list[str]] = {}
        self._cache: OrderedDict[str, ParsedFile] = OrderedDict()

    # ---------------------------------------------------------------- open

    @classmethod
    def open(cls, paths: Iterable[Path], progress: ProgressCallback | None = None) -> Library:
        paths = [Path(p) for p in paths]
        lib = cls([p.resolve() for p in paths])
        sources = list(discover(paths))
        entries: list[_Entry] = []
        for n, src in enumerate(sources, 1):
            entries.extend(lib._scan_file(src))
            if progress is not None:
                progress(n, len(sources))
        lib._build(entries)
        return lib

    def _scan_file(self, src: SourceFile) -> list[_Entry]:
        try:
            parsed = parse_file(src.path, src.root)
        except IngestError as exc:
            self.problems.append(Problem(str(src.path), str(exc)))
            return []
        except RecursionError:
            self.problems.append(Problem(str(src.path), "too deeply nested to read"))
            return []
        except Exception as exc:  # a parser bug must not take the library down
            self.problems.append(Problem(str(src.path), f"could not be parsed ({type(exc).__name__}: {exc})"))
            return []
        try:
            st = src.path.stat()
            src.size, src.mtime_ns = st.st_size, st.st_mtime_ns
        except OSError:
            pass
        out = []
        for i, art in enumerate(parsed.articles):
            body = "\n".join(b.text for b in art.blocks)
            body_key = hashlib.blake2b(body.encode("utf-8"), digest_size=12).hexdigest() if len(body) > 40 else ""
            url = art.meta.get("source_url") or art.meta.get("url")
            out.append(_Entry(src, parsed, i, art, body_key, str(url) if url else None))
        return out

    def _build(self, entries: list[_Entry]) -> None:
        # Issues: by paper and date; undated files by their folder.
        groups: dict[tuple, list[_Entry]] = {}
        for e in entries:
            p = e.parsed
            key = (p.paper or "", p.date or "", "" if p.date else str(e.source.path.parent))
            groups.setdefault(key, []).append(e)

        issues: list[Issue] = []
        for key, group in groups.items():
            paper = group[0].parsed.paper
            date = group[0].parsed.date
            # Pages unknown from front matter, content or path: file order, from 1.
            used = {e.parsed.page for e in group if e.parsed.page}
            assigned: dict[str, int] = {}
            next_page = 1
            for e in sorted(group, key=lambda e: e.source.rel):
                if e.parsed.page or e.source.rel in assigned:
                    continue
                while next_page in used:
                    next_page += 1
                assigned[e.source.rel] = next_page
                used.add(next_page)
            by_page: dict[int, list[_Entry]] = {}
            for e in group:
                page = e.parsed.page or assigned[e.source.rel]
                by_page.setdefault(page, []).append(e)
            issue = Issue(paper=paper, date=date)
            for page in sorted(by_page):
                page_entries = sorted(
                    by_page[page],
                    key=lambda e: (e.parsed.layout == "article", e.parsed.order or (float("inf"),), e.source.rel, e.index),
                )
                page_entries = _dedupe(page_entries)
                name = next((e.parsed.section_name for e in page_entries if e.parsed.section_name), None)
                section = Section(number=page, name=name)
                for e in page_entries:
                    if e.source.rel not in section.sources:
                        section.sources.append(e.source.rel)
                    e.article.page = page
                    section.articles.append(self._ref(e, issue, page))
                issue.sections.append(section)
            issues.append(issue)

        issues.sort(key=lambda i: (i.date or "9999", i.paper or "", i.sections[0].sources[0] if i.sections else ""))
        self.issues = issues
        for issue in issues:
            for section in issue.sections:
                for ref in section.articles:
                    self._where[ref.id] = (issue, section, ref)
        self._link_jumps()

    def _ref(self, e: _Entry, issue: Issue, page: int) -> ArticleRef:
        base = article_id(issue.paper, issue.date, page, e.article.headline or e.article.kicker or e.body_key)
        aid, n = base, 1
        while aid in self._ref_file:
            n += 1
            aid = f"{base}-{n}"
        key = f"{self.roots.index(e.source.root) if e.source.root in self.roots else 0}:{e.source.rel}"
        self._files[key] = e.source
        self._ref_file[aid] = key
        if e.merged:
            self._merged[aid] = e.merged
        jumps = tuple((b.direction or "", b.page or 0) for b in e.article.blocks if b.type == "jump")
        return ArticleRef(
            id=aid,
            headline=e.article.headline,
            kind=e.article.kind,
            kicker=e.article.kicker,
            source=e.source.rel,
            index=e.index,
            jumps=jumps,
        )

    def _link_jumps(self) -> None:
        """Link ``下转第N版`` to the article on page N that says ``上接第M版``."""
        for issue in self.issues:
            for section in issue.sections:
                for ref in section.articles:
                    for direction, page in ref.jumps:
                        if direction != "next" or ref.continues_at:
                            continue
                        target = issue.section(page)
                        if target is None:
                            continue
                        candidates = [
                            r
                            for r in target.articles
                            if r.continued_from is None and ("prev", section.number) in r.jumps
                        ]
                        if not candidates:
                            continue
                        best = max(candidates, key=lambda r: _title_overlap(ref, r))
                        ref.continues_at = best.id
                        best.continued_from = ref.id

    # ------------------------------------------------------------- queries

    def refs(self) -> Iterator[tuple[Issue, Section, ArticleRef]]:
        for issue in self.issues:
            for section in issue.sections:
                for ref in section.articles:
                    yield issue, section, ref

    def __len__(self) -> int:
        return len(self._where)

    def locate(self, aid: str) -> tuple[Issue, Section, ArticleRef] | None:
        return self._where.get(aid)

    def source_path(self, ref: ArticleRef) -> Path:
        return self._files[self._ref_file[ref.id]].path

    def fingerprints(self) -> dict[str, tuple[int, int]]:
        return {str(f.path): (f.size, f.mtime_ns) for f in self._files.values()}

    def article(self, aid: str) -> Article:
        """The full article, parsed again from its file (cached)."""
        where = self._where.get(aid)
        if where is None:
            raise KeyError(aid)
        issue, section, ref = where
        parsed = self._parsed(self._ref_file[aid])
        if ref.index >= len(parsed.articles):
            raise KeyError(aid)  # the file changed since the scan
        art = replace(parsed.articles[ref.index])
        art.id = ref.id
        art.source = ref.source
        art.paper, art.date = issue.paper, issue.date
        art.page, art.section_name = section.number, section.name
        art.continues_at, art.continued_from = ref.continues_at, ref.continued_from
        art.merged = list(art.merged) + self._merged.get(aid, [])
        return art

    def articles(self) -> Iterator[Article]:
        for _, _, ref in self.refs():
            try:
                yield self.article(ref.id)
            except (KeyError, IngestError, OSError):
                continue

    def _parsed(self, key: str) -> ParsedFile:
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        src = self._files[key]
        parsed = parse_file(src.path, src.root)
        self._cache[key] = parsed
        if len(self._cache) > PARSE_CACHE_SIZE:
            self._cache.popitem(last=False)
        return parsed


# ------------------------------------------------------------------ helpers


def discover(paths: Iterable[Path]) -> Iterator[SourceFile]:
    """Every text file under the given paths, in a stable order.

    A file named directly is always read; folders are scanned for text and
    Markdown files, skipping hidden ones.
    """
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        if given.is_file():
            path = given.resolve()
            if path not in seen:
                seen.add(path)
                yield SourceFile(path, path.parent, path.name)
            continue
        root = given.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or Path(name).suffix.lower() not in TEXT_SUFFIXES:
                    continue
                path = Path(dirpath) / name
                if path in seen or not path.is_file():
                    continue
                seen.add(path)
                yield SourceFile(path, root, path.relative_to(root).as_posix())


def _richness(e: _Entry) -> tuple:
    a = e.article
    return (a.kicker is not None, len(a.subheadlines), len(a.bylines), len(a.blocks), len(a.headline))


def _dedupe(entries: list[_Entry]) -> list[_Entry]:
    """The same article stored twice (same source URL, or the same body) shows once,
    keeping the richer copy (the one with the kicker) at the first copy's place."""
    kept: list[_Entry] = []
    for e in entries:
        twin = next(
            (
                k
                for k in kept
                if (e.dedupe_key and k.dedupe_key == e.dedupe_key and e.source.rel != k.source.rel)
                or (e.body_key and k.body_key == e.body_key)
            ),
            None,
        )
        if twin is None:
            kept.append(e)
            continue
        richer, poorer = (e, twin) if _richness(e) > _richness(twin) else (twin, e)
        richer.merged = twin.merged + e.merged + [f"duplicate of {poorer.source.rel}"]
        kept[kept.index(twin)] = richer
    return kept


def _title_overlap(a: ArticleRef, b: ArticleRef) -> tuple[int, str]:
    ha, hb = normalise_headline(a.headline), normalise_headline(b.headline)
    return (len(set(ha) & set(hb)), b.id)
