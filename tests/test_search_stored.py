"""The index keeps an article's body folded, with what folding changed beside it: the text
a reader is shown (snippets, highlights) is the article's as written."""

from __future__ import annotations

import pytest

from tuireader.search.fold import fold
from tuireader.search.snippet import make_snippet
from tuireader.search.stored import pack, unpack

BODY = "１９６６年５月，《人民日報》發表社論——“ABC 海内存知己”……\n第二段：COVID-19。"


def stored(body: str = BODY, **kw):
    fields = dict(aid="a1", headline="标题", kicker=None, subheads="", bylines="本报记者张三", paper="人民日报",
                  date="1966-05-01", section=None, kind="article", page=3, keywords=["社论", "知己"])
    fields.update(kw)
    return unpack(pack(text=body, folded=fold(body), **fields))


def test_the_body_as_written_comes_back_whole_and_in_any_stretch():
    doc = stored()
    assert doc.folded == fold(BODY)
    assert doc.written() == BODY
    for start in range(0, len(BODY), 3):
        assert doc.written(start, start + 7) == BODY[start : start + 7]


def test_the_other_fields_come_back_as_given():
    doc = stored()
    assert (doc.aid, doc.headline, doc.kicker, doc.bylines, doc.paper, doc.date, doc.page, doc.keywords) == (
        "a1", "标题", None, "本报记者张三", "人民日报", "1966-05-01", 3, ["社论", "知己"])


def test_fields_with_characters_past_the_bmp_come_back_as_given():
    """A field whose characters are not all two bytes in UTF-16 (a pair of surrogates, or
    one alone from an undecodable name) shifts every field after it: each comes back whole."""
    odd = stored(BODY.replace("海内", "\U0002a6a5\udc80"), headline="𪚥字\U0002a6a5", bylines="记者\udc80甲",
                 paper="日报\U00020000", section="第一版", keywords=["𪚥字", "知己"])
    assert (odd.headline, odd.bylines, odd.paper, odd.section, odd.keywords) == (
        "𪚥字\U0002a6a5", "记者\udc80甲", "日报\U00020000", "第一版", ["𪚥字", "知己"])
    assert odd.written() == BODY.replace("海内", "\U0002a6a5\udc80")


def test_a_snippet_shows_the_text_as_written_around_a_folded_match():
    snippet, spans = make_snippet(stored(), ["人民日报"])
    assert "《人民日報》" in snippet
    assert [snippet[a:b] for a, b in spans] == ["人民日報"]


def test_odd_characters_survive():
    body = "a\udc80b\x00c\U0002a6a5\n"  # a lone surrogate (undecodable bytes), NUL, a character past the BMP
    assert stored(body).written() == body


def test_a_damaged_value_is_an_error_not_garbage():
    blob = pack(aid="a", headline="h", kicker=None, subheads="", bylines="", paper=None, date=None, section=None,
                kind="article", page=None, text=BODY, folded=fold(BODY), keywords=[])
    with pytest.raises(ValueError):
        unpack(blob[:3])
    doc = unpack(blob[:-5])  # the head is whole; the body is read when asked for
    with pytest.raises(ValueError):
        _ = doc.folded


def test_what_folding_changes_is_found_wherever_it_is():
    """The characters passed over when looking for what folding changed are never changed
    by it: every character of the BMP, alone and amid Chinese text (the text as written
    comes back from the stored body only if none is missed)."""
    from tuireader.search.stored import changed_positions

    text = "".join(chr(c) for c in range(0x20, 0xD800)) + "".join(chr(c) for c in range(0xE000, 0x10000))
    # folding keeps the length only where NFKC does; check in pieces, as articles are folded
    for start in range(0, len(text), 500):
        piece = "中文" + text[start : start + 500] + "文字"
        folded = fold(piece)
        if len(folded) != len(piece):
            continue
        differ = [i for i, (a, b) in enumerate(zip(piece, folded, strict=True)) if a != b]
        assert changed_positions(piece, folded) == differ
    body = "ＡＢＣ，中國銀行：COVID-19。"
    assert stored(body).written() == body
