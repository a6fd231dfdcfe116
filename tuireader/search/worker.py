"""What an indexing worker process does for a batch of source files: parse them, segment
their articles, and hand back each article's values ready for the index.

Parsing and segmenting both hold the GIL, so both happen here, in the workers (the
process that owns the index writer only adds the documents). A file is parsed the way
the library parses it (``Library.article``: the file's articles, with the issue's paper,
date, page and section); an archive's members are read from the body store the library's
catalogue keeps (``archive.BodyStore``), a month at a time.
"""

from __future__ import annotations

import marshal
from dataclasses import replace
from pathlib import Path, PurePath

from tuireader.search.docs import IndexDoc
from tuireader.search.fields import char_pairs, day_number
from tuireader.search.fold import fold
from tuireader.search.segment import segment_document, sent_terms
from tuireader.search.stored import Codec

#: Where each of a file's articles is in it and what the library says of it:
#: (index among the file's articles, id, paper, date, page, section name).
Ref = tuple[int, str, str | None, str | None, int | None, str | None]
#: An archive's member's article: (the member's name in the archive, then as ``Ref``).
MemberRef = tuple[str, int, str, str | None, str | None, int | None, str | None]
#: A file to parse: ("parse", root, number of articles, its Refs as one ``marshal`` value);
#: an archive's members: ("members", the library's roots, number of articles, MemberRefs,
#: the archive's path under its root with a "/");
#: or articles parsed already: ("docs", [IndexDoc]).
Job = tuple
#: What the index is given for one article: id, the token fields (head, byline, body,
#: pyhead, pybody, inihead), the by: filter's pieces (``by_pieces``), the paper: key,
#: kind, page, day, the stored value.
Row = tuple[str, tuple[str, ...], str, str, str, int, int, bytes]


def load_docs(path: str, job: Job) -> list[IndexDoc]:
    """The articles of one file as the index keeps them; none when it no longer parses."""
    if job[0] == "docs":
        return list(job[1])
    if job[0] == "members":
        return member_docs(path, job)
    from tuireader.ingest import parse_file

    _, root, _, packed = job
    refs: list[Ref] = marshal.loads(packed)
    if not refs:
        return []
    try:
        parsed = parse_file(Path(path), Path(root))
    except Exception:  # a file that no longer parses is indexed as empty, not a crash
        return []
    out = []
    for index, aid, paper, date, page, section in refs:
        if index >= len(parsed.articles):
            continue  # the file changed since the library looked at it
        art = replace(parsed.articles[index], id=aid, paper=paper, date=date, page=page, section_name=section)
        out.append(IndexDoc.from_article(art))
    return out


def member_docs(path: str, job: Job) -> list[IndexDoc]:
    """The articles of an archive's members (a month of the People's Daily), read from the
    body store the catalogue filled, each chunk of it decompressed once; a member the store
    lost is read from the archive again (and kept), one that no longer parses is left out."""
    from tuireader import archive
    from tuireader.ingest import parse_bytes

    _, roots, _, packed, rel_prefix = job
    refs: list[MemberRef] = marshal.loads(packed)
    store = archive.BodyStore([Path(r) for r in roots])
    keys = [archive.member_key(path, ref[0]) for ref in refs]
    bodies = store.get_many(keys)
    parsed: dict[str, list] = {}
    out = []
    for key, (name, index, aid, paper, date, page, section) in zip(keys, refs, strict=True):
        articles = parsed.get(key)
        if articles is None:
            try:
                data = bodies.get(key)
                if data is None:
                    data = archive.member_bytes(store, key)
                articles = parse_bytes(data, PurePath(rel_prefix + name)).articles
            except Exception:  # gone from its archive, or no longer parses: indexed as empty
                articles = []
            parsed[key] = articles
        if index < len(articles):
            art = replace(articles[index], id=aid, paper=paper, date=date, page=page, section_name=section)
            out.append(IndexDoc.from_article(art))
    return out


def sample_docs(path: str, job: Job, most: int) -> list[IndexDoc]:
    """At most ``most`` of a file's articles, spread through it (to train the stored values'
    dictionary on): of an archive's month, only those are read."""
    if job[0] == "members":
        refs = marshal.loads(job[3])
        refs = refs[:: max(1, len(refs) // most)][:most]
        job = (job[0], job[1], len(refs), marshal.dumps(refs), *job[4:])
    docs = load_docs(path, job)
    return docs[:: max(1, len(docs) // most)][:most]


def sample_texts(doc: IndexDoc) -> list[str]:
    """What of an article a stored value holds, as the dictionary is trained on it."""
    head = "".join(x for x in (doc.article_id, doc.headline, doc.kicker, *doc.subheadlines, *doc.bylines,
                               doc.paper, doc.date, doc.section) if x)
    return [head, fold(doc.body)]


def doc_row(doc: IndexDoc, seen: set[str] | None, codec: Codec) -> tuple[Row, list[tuple[str, str]]]:
    """One article's values for the index, and the readings of its new terms."""
    body_f = fold(doc.body)
    cols, vocab, keywords = segment_document(*doc.segment_input(), seen=seen, folded_body=body_f)
    by_key = "".join(fold(" ".join(doc.bylines + ([doc.dateline] if doc.dateline else []))).split())
    page = doc.page if isinstance(doc.page, int) and 0 <= doc.page < 1 << 31 else 0
    kind = doc.kind or "article"
    blob = codec.pack(doc.article_id, doc.headline, doc.kicker, "\n".join(doc.subheadlines), by_key, doc.paper,
                      doc.date, doc.section, kind, page, doc.body, body_f, keywords)
    return (doc.article_id, cols, by_pieces(by_key), fold(doc.paper or ""), kind, page, day_number(doc.date),
            blob), vocab


def by_pieces(by_key: str) -> str:
    """The characters of an article's bylines and dateline (folded, without spaces), and
    each two adjacent: ``by:`` looks up the pairs of what is typed (a term each, whatever
    the number of bylines in the library) and the candidates' own bylines settle it."""
    return " ".join(dict.fromkeys([*by_key, *char_pairs(by_key)]))


#: The codec of the index being built: made once a process, again when its dictionary changes.
_codec: list[Codec] = []


def codec_of(dictionary_file: str) -> Codec:
    """The codec for the dictionary in ``dictionary_file`` (the file of a new index of the
    same library has the same path: its bytes say whether the codec is still the one)."""
    data = Path(dictionary_file).read_bytes()
    if not _codec or _codec[0].dictionary != data:
        _codec[:] = [Codec(data)]
    return _codec[0]


def index_batch(items: list[tuple[str, Job]], dictionary_file: str, build: str | None = None
                ) -> tuple[list[list[Row]], list[tuple[str, str]]]:
    """Worker entry point: the rows of each file's articles, and the readings of the terms
    this process has not handed over before in this build (``segment.sent_terms``); the
    stored values compressed with the index's dictionary (``dictionary_file``)."""
    seen = sent_terms(build)
    codec = codec_of(dictionary_file)
    rows: list[list[Row]] = []
    vocab: list[tuple[str, str]] = []
    for path, job in items:
        file_rows = []
        for doc in load_docs(path, job):
            row, new = doc_row(doc, seen, codec)
            file_rows.append(row)
            vocab += new
        rows.append(file_rows)
    return rows, vocab
