"""``tuireader dump [PATH...] [--json]``: the parsed library, as text or JSON."""

from __future__ import annotations

import argparse
import sys

from tuireader.cli import resolve_library_paths
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


def library_dict(lib: Library) -> dict:
    issues = []
    for issue in lib.issues:
        sections = []
        for section in issue.sections:
            articles = []
            for ref in section.articles:
                articles.append(lib.article(ref.id).to_dict())
            sections.append(
                {"number": section.number, "name": section.name, "sources": section.sources, "articles": articles}
            )
        issues.append({"paper": issue.paper, "date": issue.date, "sections": sections})
    return {
        "roots": [readable_name(str(r)) for r in lib.roots],
        "issues": issues,
        "problems": [{"path": p.path, "reason": p.reason} for p in lib.problems],
    }


def run(args: argparse.Namespace) -> int:
    lib = Library.open(resolve_library_paths(args))
    if lib.from_catalogue:  # the catalogue may be older than the files: look at them
        lib = lib.refresh() or lib
    out = sys.stdout
    if args.json:
        out.write(json_for_terminal(library_dict(lib)))
        out.write("\n")
        return 0
    marks = {"photo": _("[photo] "), "brief": _("[brief] "), "link": _("[link] ")}
    kicker, subheadline, byline = _("kicker: "), _("subheadline: "), _("by: ")
    for issue in lib.issues:
        out.write(f"{clean_line(issue.label)}\n")
        for section in issue.sections:
            out.write(f"  {clean_line(section.label)}\n")
            for ref in section.articles:
                art = lib.article(ref.id)
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
