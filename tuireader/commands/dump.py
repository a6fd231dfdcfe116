"""``tuireader dump [PATH...] [--json]``: the parsed library, as text or JSON."""

from __future__ import annotations

import argparse
import sys

from tuireader.cli import resolve_library_paths
from tuireader.commands import json_for_terminal
from tuireader.ingest.decode import readable_name
from tuireader.library import Library
from tuireader.text.sanitize import clean_line


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print the parsed library."
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print JSON (documented in the README)")


def library_dict(lib: Library) -> dict:
    issues = []
    for issue in lib.issues:
        sections = []
        for section in issue.sections:
            articles = []
            for ref in section.articles:
                articles.append(lib.article(ref.id).to_dict())
            sections.append({"number": section.number, "name": section.name, "sources": section.sources, "articles": articles})
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
    for issue in lib.issues:
        out.write(f"{clean_line(issue.label)}\n")
        for section in issue.sections:
            out.write(f"  {clean_line(section.label)}\n")
            for ref in section.articles:
                art = lib.article(ref.id)
                mark = {"photo": "[图] ", "brief": "[简讯] "}.get(art.kind, "")
                line = f"    {ref.id}  {mark}{clean_line(art.headline)}"
                out.write(line + "\n")
                if art.kicker:
                    out.write(f"        引题: {clean_line(art.kicker)}\n")
                for sub in art.subheadlines:
                    out.write(f"        副题: {clean_line(sub)}\n")
                for byline in art.bylines:
                    out.write(f"        作者: {clean_line(byline)}\n")
                counts = {}
                for b in art.blocks:
                    counts[b.type] = counts.get(b.type, 0) + 1
                out.write("        " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "\n")
    for p in lib.problems:
        print(f"tuireader: skipped {clean_line(p.path)}: {clean_line(p.reason)}", file=sys.stderr)
    return 0
