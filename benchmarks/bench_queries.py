"""Realistic queries for the search benchmarks, drawn from a generated library's own files.

Engine-independent: the text is read from the files (headlines, bylines,
paragraphs, paper, date and page from the paths), segmented with jieba and
read with pypinyin here, in the benchmark, never from the index. Kinds follow
``queries.yaml`` and the search issue: words, fragments, same-sound typos,
swapped and dropped characters, pinyin with and without spaces, initials, each
filter (by: paper: page: date: prefix and range, kind:), a phrase, a negation,
traditional characters and full-width forms.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

KINDS = (
    "word", "fragment", "typo-sound", "typo-swap", "typo-drop", "pinyin", "pinyin-spaced", "initials",
    "by", "paper", "page", "date", "date-range", "kind", "phrase", "negation", "traditional", "fullwidth",
)
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_PATH = re.compile(r"/(?P<paper>[^/]+)/(?P<y>\d{4})/(?P<m>\d\d)/(?P=y)-(?P=m)-(?P<d>\d\d)/(?P<page>\d\d)-")
# Common characters and their traditional forms (enough to turn most words of news text).
_SIMP = ("国会发学时对经业东为这长开关问现动产进实说还过体两义门后从来与"
         "个们电车书岁见话际区华网场务视图报农员机设应运达质济计认资势观")
_TRAD = ("國會發學時對經業東為這長開關問現動產進實說還過體兩義門後從來與"
         "個們電車書歲見話際區華網場務視圖報農員機設應運達質濟計認資勢觀")
TO_TRAD = str.maketrans(_SIMP, _TRAD)
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-"}


def sample_files(library: Path, n: int, seed: int) -> list[Path]:
    files = sorted(p for p in library.rglob("*") if p.is_file() and p.suffix in (".txt", ".md")
                   and not p.name.startswith("."))
    return random.Random(seed).sample(files, min(n, len(files)))


def read_sample(files: list[Path], library: Path) -> dict[str, list]:
    """Headlines, bylines, body paragraphs and (paper, date, page) of the sampled files."""
    out: dict[str, list] = {"headlines": [], "names": [], "paragraphs": [], "where": [], "numbers": []}
    for path in files:
        text = path.read_text(encoding="utf-8")
        m = _PATH.search("/" + str(path.relative_to(library)))
        if m:
            out["where"].append((m["paper"], f"{m['y']}-{m['m']}-{m['d']}", int(m["page"])))
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("# "):
                out["headlines"].append(line[2:])
            elif line.startswith(("本报记者", "> 本报记者")):
                names = re.sub(r"《.*", "", line.split("本报记者", 1)[1]).split()
                out["names"] += names
            elif len(line) > 40 and not line.startswith(("#", ">", "---", "title:", "author:")):
                out["paragraphs"].append(line)
                out["numbers"] += re.findall(r"\d{4}年", line)
    return out


def make_queries(library: Path, per_kind: int, seed: int = 1) -> list[tuple[str, str]]:
    """``per_kind`` queries of every kind in ``KINDS``, as (kind, query)."""
    import jieba
    from pypinyin import Style, lazy_pinyin

    jieba.setLogLevel(60)
    rng = random.Random(seed)
    sample = read_sample(sample_files(library, max(60, per_kind * 4), seed), library)
    paragraphs = sample["paragraphs"]
    rng.shuffle(paragraphs)
    # homophones among the characters of the sample, by toneless reading
    by_sound: dict[str, list[str]] = {}
    for ch in sorted(set("".join(paragraphs[:200]))):
        if "\u4e00" <= ch <= "\u9fa5":
            by_sound.setdefault(lazy_pinyin(ch, style=Style.NORMAL)[0], []).append(ch)

    def syllables(w: str) -> list[str]:
        return lazy_pinyin(w, style=Style.NORMAL)

    out: list[tuple[str, str]] = []
    counts = dict.fromkeys(KINDS, 0)

    def add(kind: str, q: str) -> None:
        if counts[kind] < per_kind and q.strip():
            out.append((kind, q))
            counts[kind] += 1

    for para in paragraphs:
        if min(counts.values()) >= per_kind:
            break
        words = [w for w in jieba.lcut(para) if _CJK.match(w)]
        pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if len(a) + len(b) >= 4]
        long_words = [w for w in words if len(w) >= 3]
        if len(words) < 4 or not pairs:
            continue
        w = rng.choice([x for x in words if len(x) >= 2] or words)
        a, b = rng.choice(pairs)
        phrase = a + b
        add("word", w)
        if long_words:
            lw = rng.choice(long_words)
            add("fragment", lw[:-1])
        i = rng.randrange(len(phrase))
        same = [c for c in by_sound.get(syllables(phrase[i])[0], []) if c != phrase[i]]
        if same:
            add("typo-sound", phrase[:i] + rng.choice(same) + phrase[i + 1:])
        i = rng.randrange(len(phrase) - 1)
        if phrase[i] != phrase[i + 1]:
            add("typo-swap", phrase[:i] + phrase[i + 1] + phrase[i] + phrase[i + 2:])
        i = rng.randrange(1, len(phrase) - 1)
        add("typo-drop", phrase[:i] + phrase[i + 1:])
        add("pinyin", "".join(syllables(a) + syllables(b)))
        add("pinyin-spaced", "".join(syllables(a)) + " " + "".join(syllables(b)))
        add("initials", "".join(s[0] for s in syllables(a) + syllables(b)))
        add("phrase", f'"{phrase}"')
        other = rng.choice(words)
        if other not in (a, b):
            add("negation", f"{phrase} -{other}")
        trad = phrase.translate(TO_TRAD)
        if trad != phrase:
            add("traditional", trad)
        if sample["where"]:
            paper, date, page = rng.choice(sample["where"])
            add("paper", f"{w} paper:{paper}")
            add("page", f"{w} page:{page}")
            add("date", f"{w} date:{date[:7]}")
            y = int(date[:4])
            add("date-range", f"{w} date:{y - rng.randint(0, 5)}-01-01..{y + rng.randint(0, 5)}-12-31")
        add("kind", f"kind:photo {w[:2]}")
        if sample["names"]:
            add("by", f"by:{rng.choice(sample['names'])}")
        if sample["numbers"]:
            add("fullwidth", "".join(_FULLWIDTH.get(c, c) for c in rng.choice(sample["numbers"])) + w)
    return out
