"""``tuireader dump [PATH...] [--json]``: the parsed library, as text or JSON."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tuireader.cli import UsageError, resolve_library_paths
from tuireader.commands import json_for_terminal
from tuireader.i18n import _
from tuireader.ingest.decode import readable_name
from tuireader.library import Library
from tuireader.model import reason_text
from tuireader.text.sanitize import clean_line


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = _("Print the parsed library.")
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help=_("files or folders (default: the configured library, else the sample)"),
    )
    parser.add_argument("--json", action="store_true", help=_("print JSON (documented in the README)"))
    parser.add_argument("--keywords", action="store_true",
                        help=_("with --json: each article's keywords, from the search index"))
    parser.add_argument("--related", action="store_true",
                        help=_("with --json: the ids of up to five related articles, from the search index"))


def library_dict(lib: Library, onward: Callable[[str], tuple[list[str], list[str]]] | None = None,
                 keywords: bool = False, related: bool = False) -> dict:
    """The library as JSON; ``onward`` gives an article's keywords and related ids (from the index)."""
    issues = []
    for issue in lib.issues:
        sections = []
        bodies = lib.member_bodies(ref.id for section in issue.sections for ref in section.articles)
        for section in issue.sections:
            articles = []
            for ref in section.articles:
                article = lib.article(ref.id, bodies).to_dict()
                if onward is not None:
                    words, others = onward(ref.id)
                    if keywords:
                        article["keywords"] = words
                    if related:
                        article["related"] = others
                articles.append(article)
            sections.append(
                {"number": section.number, "name": section.name, "sources": section.sources, "articles": articles}
            )
        issues.append({"paper": issue.paper, "date": issue.date, "sections": sections})
    return {
        "roots": [readable_name(str(r)) for r in lib.roots],
        "issues": issues,
        "problems": [{"path": p.path, "reason": p.reason} for p in lib.problems],
    }


def _onward_reader(roots: list, args: argparse.Namespace) -> Callable[[str], tuple[list[str], list[str]]]:
    """Keywords and related ids read from the search index, built first if needed (as ``search`` does)."""
    from tuireader.commands.index import bring_index_up_to_date, index_problem
    from tuireader.search import Searcher
    from tuireader.search.index import IndexError_
    from tuireader.search.onward import onward

    bring_index_up_to_date(args, roots)
    searcher = Searcher(roots)

    def read(article_id: str) -> tuple[list[str], list[str]]:
        try:
            found = onward(searcher, article_id)
        except (ValueError, IndexError_) as exc:  # damaged: marked, so the next update rebuilds it
            raise UsageError(index_problem("the search index cannot be read", roots, exc)) from None
        if found is None:  # not in the index (another process is building it): nothing known
            return [], []
        words, others = found
        return words, [r.article_id for r in others]

    return read


def run(args: argparse.Namespace) -> int:
    roots = resolve_library_paths(args)
    lib = Library.open(roots)
    if lib.from_catalogue:  # the catalogue may be older than the files: look at them
        lib = lib.refresh() or lib
    out = sys.stdout
    if (args.keywords or args.related) and not args.json:
        raise UsageError(_("--keywords and --related need --json"))
    if args.json:
        onward = _onward_reader(roots, args) if args.keywords or args.related else None
        out.write(json_for_terminal(library_dict(lib, onward, args.keywords, args.related)))
        out.write("\n")
        return 0
    marks = {"photo": _("[photo] "), "brief": _("[brief] "), "link": _("[link] ")}
    kicker, subheadline, byline = _("kicker: "), _("subheadline: "), _("by: ")
    for issue in lib.issues:
        out.write(f"{clean_line(issue.label)}\n")
        bodies = lib.member_bodies(ref.id for section in issue.sections for ref in section.articles)
        for section in issue.sections:
            out.write(f"  {clean_line(section.label)}\n")
            for ref in section.articles:
                art = lib.article(ref.id, bodies)
                line = f"    {ref.id}  {marks.get(art.kind, '')}{clean_line(art.headline)}"
                out.write(line + "\n")
                if art.kicker:
                    out.write(f"        {kicker}{clean_line(art.kicker)}\n")
                for sub in art.subheadlines:
                    out.write(f"        {subheadline}{clean_line(sub)}\n")
                for by in art.bylines:
                    out.write(f"        {byline}{clean_line(by)}\n")
                counts: dict[str, int] = {}
                for b in art.blocks:
                    counts[b.type] = counts.get(b.type, 0) + 1
                out.write("        " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "\n")
                for b in art.blocks:
                    if b.type == "link":
                        out.write(f"        {clean_line(b.text)} <{clean_line(b.url or '')}>\n")
    for p in lib.problems:
        reason = clean_line(reason_text(p.reason))
        skipped = _("skipped {path}: {reason}").format(path=clean_line(p.path), reason=reason)
        print(f"tuireader: {skipped}", file=sys.stderr)
    return 0
