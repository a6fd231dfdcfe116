"""Nothing is lost: every character of a file's text ends up in exactly one field.

Allowed to disappear: markup syntax (``#``, ``>``, ``**``, HTML tags and
entities, the brackets of a ``[text](url)`` link), white space, the brackets around a dateline's reporter credit,
and the copies the parsers merge on purpose (a caption written twice).
Property-tested over generated pages, and checked over ``seeds/``, our
fixtures and ``../shared/corpus``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import PurePath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, FIXTURES, SEEDS, needs_corpus
from tuireader.ingest import IngestError, _split_front_matter, parse_bytes, parse_text
from tuireader.ingest.links import LINK_RE
from tuireader.model import BLOCK_TYPES

_MARKUP = set("#>*")
_TAG_RE = re.compile(r"<[^<>]*>")
_HR_RE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)


def _visible(s: str) -> str:
    return "".join(ch for ch in s if not ch.isspace() and ch not in _MARKUP)


def source_text(text: str) -> str:
    front, body = _split_front_matter(text)
    body = _HR_RE.sub("", body)  # horizontal rules are markup
    body = html.unescape(_TAG_RE.sub("", body))
    # A link's words and URL stay, its brackets are markup (per paragraph: a link never spans one).
    body = "\n\n".join(LINK_RE.sub(r"\1 \2", chunk) for chunk in re.split(r"\n[ \t]*\n", body))
    return _visible(body)


def model_text(parsed, body: str, body_has_heading: bool = True) -> tuple[str, str]:
    """(all characters of the model's fields, the block texts in order)."""
    fields: list[str] = []
    blocks: list[str] = []
    for a in parsed.articles:
        # A byline taken from the front matter's author is not body text.
        from_author = parsed.layout == "article" and a.bylines and _visible(a.bylines[0]) not in body
        fields += a.meta.get("context", [])
        if a.kicker:
            fields.append(a.kicker)
        if a.headline and (body_has_heading or parsed.layout != "article"):
            fields.append(a.headline)
        fields += a.subheadlines
        if not from_author:
            fields += a.bylines
        fields += [a.dateline or "", a.edition or ""]
        for b in a.blocks:
            fields += [b.text, b.credit or "", b.url or "", *(link.url for link in b.links)]
            blocks.append(b.text)
        for note in a.merged:  # a caption written twice: count its copy back in
            if note.startswith("caption written twice"):
                cap = next(b for b in a.blocks if b.type == "caption" and note[23:-1].startswith(b.text[:20]))
                fields += [cap.text, cap.credit or ""]
    return _visible("".join(fields)), _visible("".join(blocks))


def assert_conserved(text: str, rel: str = "page.txt") -> None:
    parsed = parse_text(text, PurePath(rel))
    if parsed.layout == "rmrb":
        assert_rmrb_conserved(text, parsed)
        return
    _, body = _split_front_matter(text)
    has_heading = bool(re.search(r"^#", body, re.M))
    want = source_text(text)
    got, blocks = model_text(parsed, want, has_heading)
    credit_brackets = sum(1 for a in parsed.articles if a.dateline and len(a.bylines) and _dateline_credit(text, a))
    missing = Counter(want) - Counter(got)
    extra = Counter(got) - Counter(want)
    for ch in "（）()":
        missing.pop(ch, None) if missing.get(ch, 0) <= credit_brackets else None
    assert not missing and not extra, (dict(missing), dict(extra))
    assert _is_subsequence(blocks, want), "paragraph text is out of order"


def assert_rmrb_conserved(text: str, parsed) -> None:
    """The People's Daily archive layout: line 1 is the headline's parts (cut short at
    times), the echo below it holds them in full, and the author may be echoed too.
    Everything after line 1 ends up in exactly one field, in order."""
    lines = text.replace("\r\n", "\n").split("\n")
    (a,) = parsed.articles
    title = _visible(lines[0][4:])
    heading = _visible(a.headline + "".join(a.subheadlines))
    assert heading.startswith(title), (title, heading)
    want = _visible("\n".join(lines[1:]))
    fields = [*a.bylines, parsed.date, f"第{parsed.page}版({parsed.section_name or ''})",
              "专栏：" + a.meta.get("column", ""), a.headline, *a.subheadlines]
    fields += [note.split(": ", 1)[1] for note in a.merged if note.startswith("byline echoed in the body: ")]
    blocks = [b.text for b in a.blocks]
    got = _visible("".join(fields + blocks))
    missing, extra = Counter(want) - Counter(got), Counter(got) - Counter(want)
    assert not missing and not extra, (dict(missing), dict(extra))
    assert _is_subsequence(_visible("".join(blocks)), want), "paragraph text is out of order"


def _dateline_credit(text: str, a) -> bool:
    bylines = ("".join(x.split()) for x in a.bylines)
    return any(f"（{b}" in text.replace(" ", "") or f"({b}" in text.replace(" ", "") for b in bylines)


def _is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


# ------------------------------------------------------------- real files


def _files():
    yield from sorted(SEEDS.glob("*.txt"))
    yield from sorted(FIXTURES.rglob("*.txt"))
    yield from sorted(p for p in FIXTURES.rglob("*.md"))


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: p.name)
def test_conservation_on_our_files(path):
    assert_conserved(path.read_text(encoding="utf-8"), path.name)


@needs_corpus()
def test_conservation_on_shared_corpus():
    files = sorted(CORPUS.rglob("*.md"))
    assert files
    for path in files:
        rel = path.relative_to(CORPUS).as_posix()
        assert_conserved(path.read_text(encoding="utf-8"), rel)


# ------------------------------------------------------ generated pages

_HAN = st.text(
    alphabet=st.sampled_from("政法数字化平台建设会议强调推进工作改革发展人民群众服务中心城市乡村经济文化"),
    min_size=1,
    max_size=12,
)
_PUNCT = st.sampled_from(["，", "。", "、", ",", "；", "：", "？", "！", "”", "“", "（", "）", "——", "…", ""])
_SENTENCE = st.builds(
    lambda parts: "".join(parts), st.lists(st.tuples(_HAN, _PUNCT).map("".join), min_size=1, max_size=6)
)
_NAME = st.text(alphabet=st.sampled_from("陈李王张刘杨赵周吴徐孙马朱胡郭何高林罗"), min_size=2, max_size=3)


@st.composite
def page_text(draw) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            lines += [f"### {draw(_HAN)}", ""]
        lines += [f"# {draw(_HAN)}", ""]
        if draw(st.booleans()):
            lines += [f"## {draw(_HAN)}", ""]
        if draw(st.booleans()):
            lines += [f"{draw(st.sampled_from(['本报记者', '通讯员', '实习生']))} {draw(_NAME)}", ""]
        for i in range(draw(st.integers(0, 5))):
            para = draw(_SENTENCE)
            if i == 0 and draw(st.booleans()):
                para = "本报讯 " + para
            if draw(st.booleans()) and len(para) > 2:  # a column end in the middle
                cut = draw(st.integers(1, len(para) - 1))
                lines += [para[:cut], "", para[cut:], ""]
            else:
                lines += [para, ""]
            if draw(st.integers(0, 6)) == 0:
                lines += [f"**{draw(_HAN)}**", ""]
        if draw(st.integers(0, 3)) == 0:
            lines[-1:] = [f"(下转{draw(st.integers(2, 9))}版)", ""]
        if draw(st.integers(0, 3)) == 0:
            lines += [f"## “{draw(_HAN)}”", "", draw(_SENTENCE) + "。", "", f"{draw(_NAME)} 摄", ""]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_text())
def test_conservation_property_on_generated_pages(text):
    assert_conserved(text)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        page_text(),
        st.text(),
        st.binary(max_size=400),
        page_text().flatmap(
            lambda t: st.tuples(st.just(t), st.integers(0, len(t)), st.text(max_size=8)).map(
                lambda x: x[0][: x[1]] + x[2] + x[0][x[1] :]
            )
        ),
        st.lists(
            st.sampled_from(
                ["#", "##", "###", ">", "**", "---", "<p>", "</p>", "&nbsp;", "（下转", "2版）", "\n", " ",
                 "本报讯", "摄", "记者"]
            )
        ).map("".join),
    )
)
def test_no_parser_raises_anything_but_ingest_error(data):
    """1,000+ generated and mutated inputs: a clean result or a reason, never a crash."""
    for rel in ("p.txt", "2025/01/2025-01-01/01-要闻/a.md"):
        try:
            if isinstance(data, bytes):
                parsed = parse_bytes(data, PurePath(rel))
            else:
                parsed = parse_text(data, PurePath(rel))
        except IngestError:
            continue
        for a in parsed.articles:
            assert isinstance(a.headline, str)
            assert all(b.type in BLOCK_TYPES for b in a.blocks)
