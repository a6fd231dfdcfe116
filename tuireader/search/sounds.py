"""Finding where a text reads as a query sounds: same-sound typos, pinyin, initials.

A sound is a sequence of syllables, each a character class (the characters read so, or
with 模糊音 either of two readings: ``zi|zhi``). Where a text holds a sequence is found
from where it holds the sequence but its last syllable, kept from the keystroke before:
typing ``shidifen`` asks for shi, shi di, then shi di fen in the same candidates' texts,
so each keystroke looks at the few places the one before left, not at whole bodies
again; a text that had no shi di has no shi di fen. A first syllable is found by one
pattern of one character class (compiled once per syllable, not per query).

A class is compiled from the characters of the Basic Multilingual Plane alone whenever the
text has none beyond it (nearly always): with even one rarer character (pypinyin reads
some 10,000 of CJK Extension B) ``re`` can no longer look a character up in its class's
bitmap and compares it with each range in turn, 6 to 30 times slower on a body.
"""

from __future__ import annotations

import re

#: Places kept per (sound, text), and (sound, text) pairs kept.
_PLACES_CACHE = 8192
#: Compiled one-syllable patterns kept (a few hundred syllables, with 模糊音 pairs).
_REGEX_CACHE = 2048
#: Longest sound followed place by place; a longer one (a pasted paragraph's) is one pattern.
_STEPWISE_MAX = 24
#: Characters of a syllable above which its places in a text with characters beyond the
#: Basic Multilingual Plane are found character by character.
_LARGE_CLASS = 250
#: Stretches looked at for a syllable being typed.
_STRETCHES = 64
_INITIALS_CACHE = 20_000


_WIDE = re.compile("[\U00010000-\U0010ffff]")


def _is_wide(text: str) -> bool:
    """Whether ``text`` has a character beyond the Basic Multilingual Plane."""
    return _WIDE.search(text) is not None


class SoundFinder:
    """Finds sounds in texts for one searcher; its caches hold what the last keystrokes found."""

    def __init__(self) -> None:
        self._places: dict[tuple, list[int]] = {}
        self._classes: dict[str, frozenset[str]] = {}
        self._regexes: dict[tuple, re.Pattern | None] = {}
        self._initials: dict[str, str] = {}

    def clear(self) -> None:
        """Forget what was found (another index: other readings)."""
        self._places.clear()
        self._classes.clear()
        self._regexes.clear()
        self._initials.clear()

    def matches(self, view, spec: tuple, text: str, head: bool) -> list[str]:
        """The first stretch of ``text`` that sounds as ``spec`` says: ("py", syllables,
        partial) or ("ini", letters); initials are looked for in headlines only."""
        if spec[0] == "ini":
            return self._initials_matches(view, spec[1], text) if head else []
        syls, partial = spec[1], spec[2]
        if not syls:
            return []
        n = len(syls)
        places = self.places(view, tuple(syls), text)
        if not partial:
            return [text[places[0] : places[0] + n]] if places else []
        # a syllable being typed: the stretches that sound like the whole ones, then any
        # character (not a line's end) one of whose readings starts with what is typed
        for p in places[:_STRETCHES]:
            if p + n < len(text) and text[p + n] != "\n" and any(r.startswith(partial)
                                                                for r in view.readings(text[p + n])):
                return [text[p : p + n + 1]]
        return []

    def places(self, view, syls: tuple[str, ...], text: str) -> list[int]:
        """Every place where ``text`` reads as ``syls``, in order."""
        if len(syls) > _STEPWISE_MAX:
            rx = self._pattern(view, syls, _is_wide(text))
            return [m.start() for m in rx.finditer(text)] if rx is not None else []
        text_key = (hash(text), len(text))
        known = len(syls)
        while known > 0 and (syls[:known], text_key) not in self._places:
            known -= 1  # the longest beginning of the sound already followed in this text
        if known == 0:
            self._keep(syls[:1], text_key, self._first_places(view, syls[0], text))
            known = 1
        places = self._places[(syls[:known], text_key)]
        while known < len(syls):
            chars = self._chars(view, syls[known])
            places = [p for p in places if p + known < len(text) and text[p + known] in chars]
            known += 1
            self._keep(syls[:known], text_key, places)
        return places

    def _first_places(self, view, syllable: str, text: str) -> list[int]:
        """Where ``text`` has a character read as ``syllable``: by one pattern, unless the
        text is wide and the class large (yi: some 900 characters, a third of them beyond
        the plane), which ``re`` matches slower than a look at each character."""
        wide = _is_wide(text)
        chars = self._chars(view, syllable)
        if wide and len(chars) > _LARGE_CLASS:
            return [i for i, ch in enumerate(text) if ch in chars]
        rx = self._pattern(view, (syllable,), wide)
        return [m.start() for m in rx.finditer(text)] if rx is not None else []

    def _keep(self, syls: tuple[str, ...], text_key: tuple, places: list[int]) -> None:
        if len(self._places) >= _PLACES_CACHE:
            self._places.clear()  # a long session's texts: memory stays bounded
        self._places[(syls, text_key)] = places

    def _chars(self, view, syllable: str) -> frozenset[str]:
        """The characters read as ``syllable`` ("zi|zhi": as either)."""
        chars = self._classes.get(syllable)
        if chars is None:
            chars = self._classes[syllable] = frozenset(
                "".join(view.sound_chars(alt) for alt in syllable.split("|")))
        return chars

    def _pattern(self, view, syls: tuple[str, ...], wide: bool) -> re.Pattern | None:
        """One character class per syllable; None when one has no characters. ``wide``:
        for a text with characters beyond the Basic Multilingual Plane (the classes keep
        theirs); else the classes hold only the plane's characters, which ``re`` finds fast."""
        key = (syls, wide)
        if key not in self._regexes:
            classes = []
            for s in syls:
                chars = "".join(sorted(c for c in self._chars(view, s) if wide or c <= "\uffff"))
                if not chars:
                    self._regexes[key] = None
                    return None
                classes.append("[" + re.escape(chars) + "]")
            if len(self._regexes) >= _REGEX_CACHE:
                self._regexes.clear()
            # one class alone is found by the engine's fast scan for a set; more, by a
            # lookahead, so that overlapping places are found too (shi shi in 事实是)
            pattern = classes[0] if len(classes) == 1 else "(?=" + "".join(classes) + ")"
            self._regexes[key] = re.compile(pattern)
        return self._regexes[key]

    def _initials_matches(self, view, letters: str, text: str) -> list[str]:
        """Stretches of ``text`` whose characters start with ``letters`` (szfz: 数字法治)."""
        initials = self._initials_of(view, text)
        out = []
        i = initials.find(letters)
        while i >= 0:
            out.append(text[i : i + len(letters)])
            i = initials.find(letters, i + 1)
        return out

    def _initials_of(self, view, text: str) -> str:
        """One letter per character of ``text``: the initial of its commonest reading."""
        cached = self._initials.get(text)
        if cached is None:
            table = view.initials()
            cached = "".join(table.get(c, "?") for c in text)
            if len(self._initials) > _INITIALS_CACHE:
                self._initials.clear()
            self._initials[text] = cached
        return cached
