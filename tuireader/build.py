"""The build: files' summaries grouped into issues and pages, without parsing.

Each article of a file becomes an ``Entry`` (from the parsed file, or from the
catalogue's row for it); ``build`` groups the entries into issues by paper and
date, numbers the pages, shows an article stored twice once, gives every article
its id and links ``下转第N版`` to the page it continues on. ``Library`` keeps
what it returns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from tuireader.catalogue import FileRow, issue_key
from tuireader.ingest import ParsedFile
from tuireader.ingest.decode import readable_name
from tuireader.model import ArticleRef, Issue, Problem, Section, article_id, normalise_headline


@dataclass(slots=True)
class SourceFile:
    path: Path  # absolute
    root: Path
    rel: str
    size: int = 0
    mtime_ns: int = 0


@dataclass(slots=True)
class FileInfo:
    """What a file says about its issue and page (kept in the catalogue)."""

    layout: str
    paper: str | None
    date: str | None
    page: int | None
    section_name: str | None
    order: tuple = ()


@dataclass(slots=True)
class Entry:
    """An article during the build, before ids and links are settled: its
    summary only, so a build from the catalogue needs no parsing."""

    source: SourceFile
    info: FileInfo
    index: int
    headline: str
    kicker: str | None
    kind: str
    jumps: tuple[tuple[str, int], ...]
    body_key: str
    dedupe_key: str | None
    #: kicker?, subheadlines, bylines, blocks: which copy of a duplicate is richer.
    richness: tuple[int, int, int, int]
    merged: list[str] = field(default_factory=list)


def entries_from_parsed(src: SourceFile, parsed: ParsedFile) -> list[Entry]:
    info = FileInfo(parsed.layout, parsed.paper, parsed.date, parsed.page, parsed.section_name, tuple(parsed.order))
    out = []
    for i, art in enumerate(parsed.articles):
        # A link's URL counts: two items alike but for the video they point at are two items.
        body = "\n".join(b.text if b.url is None else f"{b.text}\n{b.url}" for b in art.blocks)
        body_key = hashlib.blake2b(body.encode("utf-8"), digest_size=12).hexdigest() if len(body) > 40 else ""
        url = art.meta.get("source_url") or art.meta.get("url")
        out.append(
            Entry(
                source=src,
                info=info,
                index=i,
                headline=art.headline,
                kicker=art.kicker,
                kind=art.kind,
                jumps=tuple((b.direction or "", b.page or 0) for b in art.blocks if b.type == "jump"),
                body_key=body_key,
                dedupe_key=str(url) if url else None,
                richness=(int(art.kicker is not None), len(art.subheadlines), len(art.bylines), len(art.blocks)),
            )
        )
    return out


@dataclass(slots=True)
class Built:
    """A library built from its files' rows: the issues in reading order, and the
    maps ``Library`` answers from."""

    problems: list[Problem] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: Per issue: how issues are ordered, which files' issue it is (``issue_key``), its article ids.
    issue_sort: list[tuple[str, str, str]] = field(default_factory=list)
    issue_keys: list[str] = field(default_factory=list)
    issue_ids: list[tuple[str, ...]] = field(default_factory=list)
    issue_of: dict[str, int] = field(default_factory=dict)
    ref_of: dict[str, ArticleRef] = field(default_factory=dict)
    section_of: dict[str, Section] = field(default_factory=dict)
    ref_file: dict[str, str] = field(default_factory=dict)  # article id -> absolute path
    files: dict[str, SourceFile] = field(default_factory=dict)  # absolute path -> file
    merged: dict[str, list[str]] = field(default_factory=dict)


def build(rows: dict[str, FileRow], roots: list[Path], taken: Container[str] = frozenset()) -> Built:
    """Build every issue of these files' rows (no parsing); article ids keep clear of ``taken``."""
    built = Built()
    order = {str(r): i for i, r in enumerate(roots)}
    entries: list[Entry] = []
    for row in sorted(rows.values(), key=lambda r: (order.get(r.root, len(order)), r.rel)):
        if row.problem is not None:
            built.problems.append(Problem(readable_name(row.path), row.problem))
            continue
        if row.info is None:  # an archive: its members have rows of their own
            continue
        src = SourceFile(Path(row.path), Path(row.root), row.rel, row.size, row.mtime_ns)
        layout, paper, date, page, section_name, order = row.info
        info = FileInfo(layout, paper, date, page, section_name, tuple(order))
        for i, (headline, kicker, kind, jumps, body_key, dedupe_key, richness) in enumerate(row.articles):
            entries.append(
                Entry(src, info, i, headline, kicker, kind, tuple((d, p) for d, p in json.loads(jumps)),
                      body_key, dedupe_key, tuple(json.loads(richness)))
            )
    _build(built, entries, taken)
    return built


def _build(built: Built, entries: list[Entry], taken: Container[str]) -> None:
    # Issues: by paper and date; undated files by their folder.
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(issue_key(str(e.source.path), e.info.paper, e.info.date), []).append(e)

    issues: list[tuple[tuple[str, str, str], str, Issue]] = []
    for key, group in groups.items():
        paper = group[0].info.paper
        date = group[0].info.date
        # Pages unknown from front matter, content or path: file order, from 1.
        used = {e.info.page for e in group if e.info.page}
        assigned: dict[str, int] = {}
        next_page = 1
        for e in sorted(group, key=lambda e: e.source.rel):
            if e.info.page or e.source.rel in assigned:
                continue
            while next_page in used:
                next_page += 1
            assigned[e.source.rel] = next_page
            used.add(next_page)
        by_page: dict[int, list[Entry]] = {}
        for e in group:
            page = e.info.page or assigned[e.source.rel]
            by_page.setdefault(page, []).append(e)
        issue = Issue(paper=paper, date=date)
        if not paper and not date:
            issue.title = readable_name(group[0].source.path.parent.name) or None
        for page in sorted(by_page):
            page_entries = sorted(
                by_page[page],
                key=lambda e: (e.info.layout == "article", e.info.order or (float("inf"),), e.source.rel, e.index),
            )
            page_entries = _dedupe(page_entries)
            name = next((e.info.section_name for e in page_entries if e.info.section_name), None)
            section = Section(number=page, name=name)
            for e in page_entries:
                if e.source.rel not in section.sources:
                    section.sources.append(e.source.rel)
                section.articles.append(_ref(built, taken, e, issue, page))
            issue.sections.append(section)
        issues.append((_sort_key(issue.paper, issue.date, issue.sections[0].sources[0]), key, issue))

    issues.sort(key=lambda item: item[0])
    built.issues = [issue for _, _, issue in issues]
    built.issue_sort = [order for order, _, _ in issues]
    built.issue_keys = [key for _, key, _ in issues]
    for n, issue in enumerate(built.issues):
        ids = []
        for section in issue.sections:
            for ref in section.articles:
                built.ref_of[ref.id] = ref
                built.section_of[ref.id] = section
                built.issue_of[ref.id] = n
                ids.append(ref.id)
        built.issue_ids.append(tuple(ids))
    _link_jumps(built.issues)


def _ref(built: Built, taken: Container[str], e: Entry, issue: Issue, page: int) -> ArticleRef:
    base = article_id(issue.paper, issue.date, page, e.headline or e.kicker or e.body_key)
    aid, n = base, 1
    while aid in built.ref_file or aid in taken:
        n += 1
        aid = f"{base}-{n}"
    key = str(e.source.path)
    built.files[key] = e.source
    built.ref_file[aid] = key
    if e.merged:
        built.merged[aid] = e.merged
    return ArticleRef(
        id=aid,
        headline=e.headline,
        kind=e.kind,
        kicker=e.kicker,
        source=e.source.rel,
        index=e.index,
        jumps=e.jumps,
    )



def _link_jumps(issues: list[Issue]) -> None:
    """Link ``下转第N版`` to the article on page N that says ``上接第M版``."""
    for issue in issues:
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


def _sort_key(paper: str | None, date: str | None, first_source: str) -> tuple[str, str, str]:
    """Issues by date (undated last), then paper, then where their first page lies."""
    return (date or "9999", paper or "", first_source)


def _richness(e: Entry) -> tuple:
    return (*e.richness, len(e.headline))


def _dedupe(entries: list[Entry]) -> list[Entry]:
    """The same article stored twice (same source URL, or the same body) shows once,
    keeping the richer copy (the one with the kicker) at the first copy's place."""
    kept: list[Entry] = []
    by_url: dict[str, int] = {}
    by_body: dict[str, int] = {}
    for e in entries:
        slot = by_url.get(e.dedupe_key) if e.dedupe_key else None
        if slot is not None and kept[slot].source.rel == e.source.rel:
            slot = None  # one file may hold several pieces from one page URL
        if slot is None and e.body_key:
            slot = by_body.get(e.body_key)
        if slot is None:
            if e.dedupe_key:
                by_url.setdefault(e.dedupe_key, len(kept))
            if e.body_key:
                by_body.setdefault(e.body_key, len(kept))
            kept.append(e)
            continue
        twin = kept[slot]
        richer, poorer = (e, twin) if _richness(e) > _richness(twin) else (twin, e)
        richer.merged = twin.merged + e.merged + [f"duplicate of {poorer.source.rel}"]
        kept[slot] = richer
        if richer.body_key:
            by_body.setdefault(richer.body_key, slot)
    return kept


def _title_overlap(a: ArticleRef, b: ArticleRef) -> tuple[int, str]:
    ha, hb = normalise_headline(a.headline), normalise_headline(b.headline)
    return (len(set(ha) & set(hb)), b.id)
