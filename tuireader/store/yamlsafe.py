"""YAML for files a reader (or anyone) may have written: read without surprises. No Textual.

PyYAML's safe loader still lets a hostile or damaged file do harm: it expands
aliases (a "billion laughs" bomb), recurses once per level of nesting (a file
500 levels deep ends in ``RecursionError``), raises ``ValueError`` for an
integer of more than 4,300 digits or a date such as ``2026-13-45 25:00:00``,
and silently keeps the last of two equal keys (two files joined into one: the
first half is lost on the next save).

:func:`compose` builds the node tree from the parser's events without recursion
and refuses aliases, a second document, duplicate keys, deep nesting and huge
node counts before they cost anything; :func:`load` constructs the values with a
safe constructor that turns the ``ValueError`` cases into a refusal. Every
refusal is a :class:`Refused` (a ``yaml.MarkedYAMLError``) with the line it is on.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = yaml.resolver.Resolver()
STR_TAG = "tag:yaml.org,2002:str"
#: Deeper than any config, theme or bookmarks file needs, far below Python's recursion limit.
MAX_DEPTH = 64
MAX_NODES = 2_000_000


class Refused(yaml.MarkedYAMLError):
    """YAML that parses but is not accepted (an alias, a duplicate key, ...)."""


@functools.lru_cache(maxsize=4096)
def resolve_plain(value: str, implicit: tuple[bool, bool]) -> str:
    # Keys and short values repeat in every entry; resolving is regex work.
    return _resolver.resolve(yaml.ScalarNode, value, implicit)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a tree of nodes is built: the nodes hold no
    cycles, and collections that walk a growing tree made reading 40,000 bookmarks
    several times slower than 20,000."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Pending(list):
    """A mapping being filled: [mapping node, key waiting for its value, keys seen]."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__((node, None, set()))


def compose(
    text: str,
    *,
    kind: str = "this file",
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    allow_aliases: bool = False,
) -> yaml.Node | None:
    """The node tree of one YAML document, built from the (C, when available) parser's
    events without recursion. ``kind`` names the file in refusals ("a bookmarks file").

    ``allow_aliases``: an alias shares the node of its anchor (as PyYAML does: nothing is
    copied, so a "billion laughs" costs what its text costs); an alias to a collection
    that is still open (a recursive structure) is refused.
    """
    root: list[yaml.Node] = []  # a sequence that holds the document's root node
    stack: list[Any] = [root]  # collections being filled: lists, or _Pending mappings
    anchors: dict[str, yaml.Node] = {}
    open_anchors: list[tuple[str | None, yaml.Node | None]] = [(None, None)]  # beside ``stack``
    nodes = documents = 0
    resolve = resolve_plain
    ScalarNode, SequenceNode, MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    ScalarEvent, SequenceStart, MappingStart = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)

    events: Iterator[Any] = yaml.parse(text, Loader=_Loader)  # typed loosely: each kind has its fields
    for event in events:
        event_kind = type(event)
        if event_kind is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = STR_TAG if not event.implicit[0] else resolve(event.value, event.implicit)
            node: yaml.Node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        elif event_kind is SequenceStart or event_kind is MappingStart:
            node_kind = SequenceNode if event_kind is SequenceStart else MappingNode
            tag = event.tag if event.tag not in (None, "!") else _resolver.resolve(node_kind, None, event.implicit)
            node = node_kind(tag, [], event.start_mark, event.end_mark, flow_style=event.flow_style)
        elif event_kind in ends:
            stack.pop()
            anchor, done = open_anchors.pop()
            if anchor is not None and done is not None:
                anchors[anchor] = done  # complete: an alias may share it from here on
            continue
        elif event_kind is yaml.AliasEvent:
            if not allow_aliases:
                raise Refused(problem=f"aliases (*name) are not allowed in {kind}", problem_mark=event.start_mark)
            if event.anchor not in anchors:
                raise Refused(problem=f"the alias *{event.anchor[:40]} names no complete anchor before it",
                              problem_mark=event.start_mark)
            node = anchors[event.anchor]
        elif event_kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise Refused(problem="more than one YAML document (a second '---')", problem_mark=event.start_mark)
            continue
        else:
            continue
        nodes += 1
        if nodes > max_nodes:
            raise Refused(problem=f"too many YAML nodes for {kind}", problem_mark=event.start_mark)
        top = stack[-1]
        if type(top) is list:  # a sequence's items, or the document
            top.append(node)
        elif top[1] is None:  # a key
            if event_kind is ScalarEvent:
                seen = top[2]
                if (tag, event.value) in seen:
                    raise Refused(
                        problem=f"the key '{event.value[:40]}' appears twice in one mapping (two files joined?)",
                        problem_mark=event.start_mark,
                    )
                seen.add((tag, event.value))
            top[1] = node
        else:
            top[0].value.append((top[1], node))
            top[1] = None
        if event_kind is ScalarEvent:
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif event_kind is not yaml.AliasEvent:
            open_anchors.append((event.anchor, node))
            if len(stack) > max_depth:
                raise Refused(problem=f"nested more than {max_depth} levels deep", problem_mark=event.start_mark)
            stack.append(node.value if node_kind is SequenceNode else _Pending(node))
    return root[0] if root else None


class SafeConstructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, refusing (with the line) what it would crash on."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise Refused(problem=f"a number too long to read ({len(node.value)} characters)",
                          problem_mark=node.start_mark) from None

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise Refused(problem=f"not a real date or time: {node.value[:40]!r}",
                          problem_mark=node.start_mark) from None


# What add_constructor does (a copy of the inherited table), spelled out for the type checker.
SafeConstructor.yaml_constructors = {
    **yaml.constructor.SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:timestamp": SafeConstructor.construct_yaml_timestamp,
}


def load(text: str, *, kind: str = "this file", max_depth: int = MAX_DEPTH, allow_aliases: bool = False) -> Any:
    """``yaml.safe_load(text)``, with every refusal above a ``yaml.MarkedYAMLError``."""
    with gc_paused():
        node = compose(text, kind=kind, max_depth=max_depth, allow_aliases=allow_aliases)
        if node is None:
            return None
        try:
            return SafeConstructor().construct_document(node)
        except RecursionError:  # aliases that nest shared nodes inside each other
            raise Refused(problem="nested too deeply", problem_mark=node.start_mark) from None


def describe(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """(line, problem) of a YAML error, for a one-line message."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "invalid YAML"
    return (mark.line + 1 if mark is not None else None), str(problem)
