"""Where a text reads as a query sounds (same-sound typos, pinyin): the places found from
the keystroke before are the places a whole-text pattern finds."""

from __future__ import annotations

import re

from tuireader.search.sounds import SoundFinder

#: A small reading table: character -> readings (史 and 事 are shi; 地 is di; 蒂 and 帝 are di).
READINGS = {"史": ("shi",), "事": ("shi",), "是": ("shi",), "实": ("shi",), "蒂": ("di",), "帝": ("di",),
            "地": ("di", "de"), "芬": ("fen",), "分": ("fen",), "纷": ("fen",), "资": ("zi",), "知": ("zhi",),
            "之": ("zhi",), "芳": ("fang",)}


class View:
    def readings(self, ch: str) -> tuple[str, ...]:
        return READINGS.get(ch, ())

    def sound_chars(self, syllable: str) -> str:
        return "".join(ch for ch, rs in READINGS.items() if syllable in rs)

    def initials(self) -> dict[str, str]:
        return {ch: rs[0][0] for ch, rs in READINGS.items()}


def whole_text_places(syls: tuple[str, ...], text: str) -> list[int]:
    classes = "".join("[" + "".join(View().sound_chars(alt) for alt in s.split("|")) + "]" for s in syls)
    return [m.start() for m in re.finditer(f"(?={classes})", text)]


TEXT = "史蒂芬说，事实是地分纷纷；史地分家。知之为知之，资帝芬。史蒂"


def test_places_typed_syllable_by_syllable_are_the_places_of_the_whole_sound():
    finder = SoundFinder()
    view = View()
    typed: tuple[str, ...] = ()
    for syl in ("shi", "di", "fen", "fen"):
        typed += (syl,)
        assert finder.places(view, typed, TEXT) == whole_text_places(typed, TEXT), typed
    # asked afresh (nothing kept) and asked again (all kept): the same
    assert SoundFinder().places(view, ("shi", "di", "fen"), TEXT) == whole_text_places(("shi", "di", "fen"), TEXT)
    assert finder.places(view, ("shi", "di"), TEXT) == [0, 7, 13, 28]  # 史蒂 是地 史地 史蒂


def test_overlapping_places_and_a_fuzzy_syllable():
    finder = SoundFinder()
    assert finder.places(View(), ("shi", "shi"), TEXT) == [5, 6]  # 事实是: two places
    assert finder.places(View(), ("zhi|zi", "di|zhi"), TEXT) == whole_text_places(("zhi|zi", "di|zhi"), TEXT)


def test_a_sound_not_in_a_text_is_not_found_in_it_and_texts_are_kept_apart():
    finder = SoundFinder()
    view = View()
    assert finder.matches(view, ("py", ("shi", "di"), ""), TEXT, False) == ["史蒂"]
    assert finder.matches(view, ("py", ("shi", "di"), ""), "实地考察", False) == ["实地"]
    assert finder.matches(view, ("py", ("shi", "di"), ""), "芬芳", False) == []
    assert finder.matches(view, ("py", ("shi", "fang"), ""), TEXT, False) == []


def test_a_syllable_being_typed_takes_any_character_it_can_start():
    finder = SoundFinder()
    view = View()
    assert finder.matches(view, ("py", ("shi", "di"), "fe"), TEXT, False) == ["史蒂芬"]
    assert finder.matches(view, ("py", ("shi",), "d"), TEXT, False) == ["史蒂"]
    assert finder.matches(view, ("py", ("shi", "di"), "fa"), TEXT, False) == []
    assert finder.matches(view, ("py", ("shi", "di"), "x"), "史蒂\n芬", False) == []  # not past a line's end


def test_a_sound_longer_than_followed_stepwise_is_found_whole():
    finder = SoundFinder()
    syls = ("shi", "di") * 20
    text = "史蒂" * 25
    assert finder.places(View(), syls, text) == whole_text_places(syls, text)


def test_initials_in_headlines_only():
    finder = SoundFinder()
    assert finder.matches(View(), ("ini", "sd"), "史蒂芬", True) == ["史蒂"]
    assert finder.matches(View(), ("ini", "sd"), "史蒂芬", False) == []


def test_a_syllable_of_many_characters_is_found_as_a_few_are():
    class ManyView(View):
        """shi read by hundreds of characters (as yi is by some 900), 史 and 事 among them."""

        def sound_chars(self, syllable: str) -> str:
            more = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400)) if syllable == "shi" else ""
            return super().sound_chars(syllable) + more

    text = TEXT + "一丁七"  # 一 丁 七 are among the 400
    assert sounds_places(ManyView(), ("shi",), text) == [i for i, ch in enumerate(text)
                                                         if ch in ManyView().sound_chars("shi")]
    assert sounds_places(ManyView(), ("shi", "di"), text) == [0, 7, 13, 28]


def sounds_places(view, syls, text):
    return SoundFinder().places(view, syls, text)


def test_characters_beyond_the_basic_plane_are_found_as_the_others():
    """A class is compiled without them for a text that has none (a fast pattern); a text
    with one (CJK Extension B, read by pypinyin too) still finds it, large class or small."""
    wide_shi = "\U00020000\U0002000a"

    class WideView(View):
        def __init__(self, many: bool) -> None:
            self.many = many

        def sound_chars(self, syllable: str) -> str:
            more = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400)) if self.many and syllable == "shi" else ""
            return super().sound_chars(syllable) + more + (wide_shi if syllable == "shi" else "")

    wide_text = TEXT + "\U00020000蒂，" + "\U0002000a地"
    for many in (False, True):
        view = WideView(many)
        finder = SoundFinder()
        assert finder.places(view, ("shi", "di"), TEXT) == [0, 7, 13, 28]  # the narrow text first
        assert finder.places(view, ("shi", "di"), wide_text) == [0, 7, 13, 28, 30, 33]
        assert finder.matches(view, ("py", ("shi", "di"), ""), "说\U0002000a地", False) == ["\U0002000a地"]
        long_sound = ("shi", "di") * 13  # past the stepwise limit: one pattern
        assert finder.places(view, long_sound, ("\U00020000蒂" + "史地") * 7) == [0, 2]  # 28 characters
