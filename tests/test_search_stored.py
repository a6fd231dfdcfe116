"""The index keeps an article's body folded, with what folding changed beside it: the text
a reader is shown (snippets, highlights) is the article's as written."""

from __future__ import annotations

import random

import pytest

from tuireader.search.fold import fold
from tuireader.search.snippet import make_snippet
from tuireader.search.stored import Codec, train_dictionary

BODY = "１９６６年５月，《人民日報》發表社論——“ABC 海内存知己”……\n第二段：COVID-19。"
#: Articles of our own to train a dictionary on: phrases of one paper's language, in
#: another order each (enough articles for zstd's trainer).
PHRASES = ["春耕生产", "人民日报社论", "农业合作社", "本报记者", "各级党委", "认真贯彻", "水利建设", "粮食产量",
           "广大群众", "积极响应", "工业战线", "技术革新", "社会主义建设", "胜利完成", "全面提高", "加强领导"]


def article(n: int) -> str:
    rng = random.Random(n)
    return "".join(rng.choice(PHRASES) + rng.choice("，。、；") for _ in range(60))


SAMPLES = [article(n) for n in range(300)]
CODECS = {"trained": Codec(train_dictionary(SAMPLES)), "few samples": Codec(train_dictionary(SAMPLES[:5])),
          "none": Codec(b"")}


@pytest.fixture(params=list(CODECS))
def codec(request) -> Codec:
    return CODECS[request.param]


def pack(codec: Codec = CODECS["trained"], body: str = BODY, **kw) -> bytes:
    fields = dict(aid="a1", headline="标题", kicker=None, subheads="", bylines="本报记者张三", paper="人民日报",
                  date="1966-05-01", section=None, kind="article", page=3, keywords=["社论", "知己"])
    fields.update(kw)
    return codec.pack(text=body, folded=fold(body), **fields)  # type: ignore[arg-type]


def stored(body: str = BODY, codec: Codec = CODECS["trained"], **kw):
    return codec.unpack(pack(codec, body, **kw))


def test_the_dictionaries_are_of_each_kind():
    """Trained when there are enough articles, their text itself when there are few, none
    without text: each a codec that reads back what it packed (the tests below, each kind)."""
    assert [CODECS[k].dictionary[:1] for k in ("trained", "few samples", "none")] == [b"t", b"r", b""]
    assert train_dictionary(["", "短"]) == b""


def test_a_dictionary_makes_an_article_smaller():
    """What the dictionary is for: an article shares its language with the library's."""
    body = article(1000)  # not one it was trained on
    sizes = {name: len(pack(codec, body)) for name, codec in CODECS.items()}
    assert sizes["trained"] < 0.8 * sizes["none"]


def test_every_codec_reads_back_what_it_packed(codec):
    doc = codec.unpack(pack(codec))
    assert (doc.headline, doc.written(), doc.keywords) == ("标题", BODY, ["社论", "知己"])


def test_another_dictionary_cannot_read_a_value(codec):
    """A value read with another index's dictionary (a damaged index) is an error, not
    another text."""
    blob = pack(CODECS["trained"])
    if codec is CODECS["trained"]:
        return
    with pytest.raises(ValueError):
        doc = codec.unpack(blob)
        _ = doc.folded


def test_an_unreadable_dictionary_is_an_error():
    for bad in (b"x" + b"\0" * 100, b"t" + b"\0" * 100):
        with pytest.raises(ValueError):
            Codec(bad)


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


def test_odd_characters_survive(codec):
    body = "a\udc80b\x00c\U0002a6a5\n"  # a lone surrogate (undecodable bytes), NUL, a character past the BMP
    assert stored(body, codec).written() == body


def test_a_damaged_value_is_an_error_not_garbage(codec):
    blob = pack(codec, aid="a", headline="h", subheads="", bylines="", paper=None, date=None, kind="article",
                page=None, keywords=[])
    with pytest.raises(ValueError):
        codec.unpack(blob[:3])
    doc = codec.unpack(blob[:-5])  # the head is whole; the body is read when asked for
    with pytest.raises(ValueError):
        _ = doc.folded
    flipped = bytearray(blob)
    flipped[-9] ^= 0x40  # a byte of the body changed: its checksum says so
    doc = codec.unpack(bytes(flipped))
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
