"""Pinyin for search: syllables, splitting typed pinyin, and readings of characters.

The query side never imports pypinyin: typed pinyin is split with the syllable
table below, and the readings of Chinese characters in a query come from the
index (``chars`` table), which the indexer filled from pypinyin.
"""

from __future__ import annotations

import functools
import unicodedata

#: Toneless syllables of Mandarin (ü written v), from pypinyin's table, minus the
#: nasal interjections (m, n, ng, hm, hng) that would split words wrongly.
SYLLABLES: frozenset[str] = frozenset(
    """a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu
    ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu
    chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de
    dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa
    fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai
    guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui
    hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke
    kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li
    lia lian liang liao lie lin ling liu lo long lou lu luan lue lun luo lv ma mai man mang mao me
    mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nia
    nian niang niao nie nin ning niu nong nou nu nuan nue nun nuo nv o ou pa pai pan pang pao pei
    pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu
    quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao
    se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang
    shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie
    ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang
    xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan
    yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi
    zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo""".split()
)
_MAX_SYLLABLE = max(map(len, SYLLABLES))
_PREFIXES = frozenset(s[:i] for s in SYLLABLES for i in range(1, len(s) + 1))
INITIALS = frozenset("bpmfdtnlgkhjqxzcsrywaoe")


_TONELESS = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
    "aaaaeeeeiiiioooouuuuvvvvvnnnm",
)


def strip_tone(reading: str) -> str:
    """``lǜ`` -> ``lv``, ``zhōng`` -> ``zhong``."""
    base = reading.lower().translate(_TONELESS)
    if base.isascii():
        return base
    base = "".join(c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c))
    return base.replace("ü", "v")


def initial(syllable: str) -> str:
    """The letter a syllable starts with (zh/ch/sh count as z/c/s, as people type them)."""
    return syllable[:1]


def looks_like_pinyin(text: str) -> bool:
    """ASCII letters (spaces and apostrophes allowed) that split into syllables."""
    letters = text.replace(" ", "").replace("'", "")
    return bool(letters) and letters.isascii() and letters.isalpha() and split_pinyin(text) is not None


@functools.lru_cache(maxsize=4096)
def split_pinyin(text: str) -> tuple[tuple[str, ...], str] | None:
    """Split typed pinyin into whole syllables plus a trailing partial one.

    Spaces and apostrophes are forced boundaries. Among the possible splits the
    one with the fewest syllables wins (``xian`` is one syllable, not ``xi an``).
    Returns ``(syllables, partial)``: ``gaoz`` -> ``(("gao",), "z")``. None when
    the text is not pinyin.
    """
    alternatives = split_pinyin_all(text)
    return alternatives[0] if alternatives else None


@functools.lru_cache(maxsize=4096)
def split_pinyin_all(text: str, limit: int = 4) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Every split with the fewest syllables (at most ``limit``): ``banan`` is
    ``ban an`` or ``ba nan``; the index decides which one the reader meant."""
    combos: list[tuple[tuple[str, ...], str]] = [((), "")]
    chunks = [c for c in text.lower().replace("'", " ").split() if c]
    for n, chunk in enumerate(chunks):
        last = n == len(chunks) - 1
        options = _split_chunk(chunk, allow_partial=last, limit=limit)
        if not options:
            return ()
        combos = [(head + tuple(sylls), part) for head, _ in combos for sylls, part in options][:limit]
    return tuple(c for c in combos if c[0] or c[1])


def _split_chunk(chunk: str, allow_partial: bool, limit: int = 4) -> list[tuple[list[str], str]]:
    # splits[i]: the splits of chunk[:i] with the fewest syllables (a few of them)
    n = len(chunk)
    splits: list[list[list[str]]] = [[] for _ in range(n + 1)]
    splits[0] = [[]]
    for i in range(n):
        if not splits[i]:
            continue
        for j in range(i + 1, min(n, i + _MAX_SYLLABLE) + 1):
            piece = chunk[i:j]
            if piece not in SYLLABLES:
                continue
            cands = [s + [piece] for s in splits[i]]
            if not splits[j] or len(cands[0]) < len(splits[j][0]):
                splits[j] = cands[:limit]
            elif len(cands[0]) == len(splits[j][0]):
                splits[j] = (splits[j] + cands)[:limit]
    if splits[n]:
        return [(s, "") for s in splits[n]]
    if not allow_partial:
        return []
    # the reader is still typing: whole syllables, then a prefix of one
    for i in range(n - 1, -1, -1):
        if splits[i] and chunk[i:] in _PREFIXES:
            return [(splits[i][0], chunk[i:])]
    return []


def is_initials(text: str) -> bool:
    """``szfz``: letters only, too few vowels to be syllables, each a possible initial."""
    letters = text.replace(" ", "")
    if not (2 <= len(letters) <= 12 and letters.isascii() and letters.isalpha()):
        return False
    letters = letters.lower()
    if not all(c in INITIALS for c in letters):
        return False
    # a, o, e start syllables too (案 an): with vowels, initials only if it is not pinyin
    return not any(c in "aeiouv" for c in letters) or not split_pinyin_all(letters)


#: Initials an input method's 模糊音 confuses (each way).
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))


@functools.lru_cache(maxsize=4096)
def fuzzy_syllables(syllable: str) -> tuple[str, ...]:
    """``syllable`` and those an input method's 模糊音 forgives for it: z/zh, c/ch, s/sh,
    n/l and -n/-ng (``zi`` -> zi zhi; ``lan`` -> lan lang nan nang), real syllables only."""
    heads = [syllable]
    for retroflex, flat in _FUZZY_INITIALS:
        if syllable.startswith(retroflex):
            heads.append(flat + syllable[2:])
            break
        if syllable.startswith(flat):
            heads.append(retroflex + syllable[1:])
            break
    if syllable[:1] in ("n", "l"):
        heads.append(("l" if syllable[0] == "n" else "n") + syllable[1:])
    out = []
    for head in heads:
        out.append(head)
        if head.endswith("ng"):
            out.append(head[:-1])
        elif head.endswith("n"):
            out.append(head + "g")
    return tuple(dict.fromkeys(s for s in out if s in SYLLABLES))
