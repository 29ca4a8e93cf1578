"""What a word is, for queries and the text they are matched against.

Both sides are folded the same way (NFKC, then casefold), so "ＫＵＢＥ", "ﬁle" and
"STRASSE" meet "kube", "file" and "straße".

A *word character* is a letter, digit, combining mark or ``_``. Scripts written
with spaces between words (Latin, Cyrillic, Greek, Arabic, Devanagari, …) match
on whole words: a term must not have a word character of such a script just
before or after it, so ``go`` does not match "google" but matches "go," and
"(go)". Scripts written without spaces (Han, Hiragana, Katakana, Hangul, Thai,
Lao, Khmer, Myanmar) match as substrings: ``東京`` matches "東京都". A term
with punctuation (``c++``, ``node.js``, ``.net``) matches literally, with the
whole-word check only on an end that is a word character: ``c++`` matches
"c++20" but not "abc++"; ``.net`` matches "asp.net".

For phrases and ``NEAR/n`` a text is a sequence of *tokens*: runs of word
characters of spaced scripts, and single characters of unspaced scripts.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

# Unicode blocks of scripts written without spaces between words.
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31A0, 0x31FF),  # Bopomofo extended, Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFFDC),  # halfwidth Katakana and Hangul (NFKC widens them anyway)
    (0x1B000, 0x1B16F),  # kana supplement and extensions
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
# Spaced-script word characters are listed up to here; beyond are CJK
# extensions and special-purpose planes.
_LISTED_UP_TO = 0x20000


def fold(text: str) -> str:
    """Normalize text for comparison: compatibility forms unified, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def closest_names(asked: str, names: Iterable[str], *, cutoff: float = 0.6) -> list[str]:
    """Up to three of ``names`` a person probably meant by ``asked`` (a mistyped topic),
    best first, spelled as ``names`` spell them; compared folded."""
    folded = {fold(name): name for name in names}
    close = difflib.get_close_matches(fold(asked), list(folded), n=3, cutoff=cutoff)
    return [folded[c] for c in close]


def _is_word_char(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch)[0] in "LNM"


def char_kind(ch: str) -> str:
    """ "spaced" or "unspaced" for word characters (see above), "other" for the rest."""
    if not _is_word_char(ch):
        return "other"
    return "unspaced" if _is_unspaced(ord(ch)) else "spaced"


_UNSPACED_STARTS = [lo for lo, _ in _UNSPACED_RANGES]


def _is_unspaced(code: int) -> bool:
    index = bisect.bisect_right(_UNSPACED_STARTS, code) - 1
    return index >= 0 and code <= _UNSPACED_RANGES[index][1]


def _computed_codes() -> tuple[list[int], list[int]]:
    """Code points of word characters (spaced scripts; unspaced ones below _LISTED_UP_TO)."""
    spaced = [
        code for code in range(_LISTED_UP_TO) if _is_word_char(chr(code)) and not _is_unspaced(code)
    ]
    unspaced = [
        code
        for lo, hi in _UNSPACED_RANGES
        for code in range(lo, min(hi, _LISTED_UP_TO - 1) + 1)
        if _is_word_char(chr(code))
    ]
    return spaced, unspaced


def _from_ranges(text: str) -> list[tuple[int, int]]:
    found = []
    for item in text.split():
        lo, _, hi = item.partition("-")
        found.append((int(lo, 16), int(hi or lo, 16)))
    return found


def _as_ranges(codes: list[int]) -> list[tuple[int, int]]:
    found, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        found.append((codes[i], codes[j]))
        i = j + 1
    return found


@cache
def _word_ranges() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Precomputed (bot/match/wordtable.py) when it was made from this Unicode version."""
    from bot.match import wordtable

    if wordtable.UNIDATA_VERSION != unicodedata.unidata_version:
        spaced, unspaced = _computed_codes()
        return _as_ranges(spaced), _as_ranges(unspaced)
    return _from_ranges("".join(wordtable.SPACED)), _from_ranges("".join(wordtable.UNSPACED))


@cache
def spaced_word_chars() -> frozenset[str]:
    """Word characters of scripts that separate words with spaces.

    A set, not a regex or ``str.isalnum``: position checks ask about the
    neighbours of every occurrence, and a set lookup is the cheapest question.
    """
    return frozenset(
        map(chr, itertools.chain.from_iterable(range(lo, hi + 1) for lo, hi in _word_ranges()[0]))
    )


def has_word_char(text: str) -> bool:
    """Whether ``text`` has anything a word could be made of."""
    return any(_is_word_char(ch) for ch in text)


def _char_class(ranges: list[tuple[int, int]]) -> str:
    """A regex character class for sorted, separate ranges of code points."""
    parts = (
        re.escape(chr(lo)) + ("" if lo == hi else "-" + re.escape(chr(hi))) for lo, hi in ranges
    )
    return "[" + "".join(parts) + "]"


@cache
def word_classes() -> tuple[str, str]:
    """Regex character classes: (spaced-script word characters, unspaced ones)."""
    spaced, unspaced = _word_ranges()
    # Past the listed range lie CJK extensions: every code point there is unspaced.
    beyond = f"{re.escape(chr(_LISTED_UP_TO))}-{re.escape(chr(0x3FFFF))}"
    return _char_class(spaced), _char_class(unspaced)[:-1] + beyond + "]"


@cache
def token_pattern() -> re.Pattern[str]:
    """Tokens as defined above: a run of spaced-script word characters, or one unspaced one."""
    spaced, unspaced = word_classes()
    return re.compile(f"{spaced}+|{unspaced}")


# The non-ASCII punctuation most frequent in real feeds once folded: quotes, dashes.
_COMMON_PUNCTUATION = "\u2019\u201d\u201c\u2018\u2014\u2013"


_BELOW_E0 = bytes(range(0xE0))


class BoundarySpacer:
    """Rewrites folded text so that every word boundary is a space.

    Then a whole word is found by looking for " word " with no check around it,
    which lets an Aho-Corasick automaton report only real hits ("go" never
    fires inside "google"). Rules, applied identically to texts and terms:
    characters that are not word characters become a space; ``kept`` ones
    (punctuation that terms contain, like the "+" of "c++") become themselves
    between two spaces; runs of unspaced-script characters get a space on
    each side. Doubled spaces are harmless: only single ones are looked for.
    """

    def __init__(self, kept: str) -> None:
        self.kept = "".join(sorted(set(kept)))
        spaced, unspaced = word_classes()
        keep = spaced_word_chars() | set(self.kept) | {" "}
        self._ascii = {c: " " for c in range(128) if chr(c) not in keep}
        # Bytes tables: Latin-1 text maps at C speed; UTF-8 text only for its ASCII part.
        self._latin1 = bytes(c if chr(c) in keep else 32 for c in range(256))
        self._utf8 = bytes(32 if c in self._ascii else c for c in range(256))
        self._other = re.compile(
            f"[^\\x00-\\x7f{spaced[1:-1]}{unspaced[1:-1]}{re.escape(self.kept)}]"
        )
        self._unspaced_run = re.compile(unspaced + "+")
        self._common = [ch for ch in _COMMON_PUNCTUATION if ch not in self.kept]

    def text(self, folded: str) -> str:
        """The text with spaces at every word boundary."""
        if folded.isascii():
            # str.translate has a fast path for ASCII mapped to single ASCII characters.
            spaced = folded.translate(self._ascii)
        else:
            spaced = folded
            for ch in self._common:  # str.replace costs far less per hit than re.sub
                if ch in spaced:
                    spaced = spaced.replace(ch, " ")
            try:
                latin1 = spaced.encode("latin-1")  # most European text, once quotes are gone
            except UnicodeEncodeError:
                spaced = self._other_scripts(spaced)
            else:
                spaced = latin1.translate(self._latin1).decode("latin-1")
        for ch in self.kept:
            if ch in spaced:
                spaced = spaced.replace(ch, f" {ch} ")
        return spaced

    def _other_scripts(self, text: str) -> str:
        # ASCII punctuation at C speed through bytes, then regexes for the rest.
        raw = text.encode("utf-8", "surrogatepass").translate(self._utf8)
        spaced = self._other.sub(" ", raw.decode("utf-8", "surrogatepass"))
        # Unspaced scripts start at U+0E00, which UTF-8 writes with a lead byte of
        # 0xE0 or more; most texts left here (Greek, Polish, Cyrillic) have none.
        if not spaced.encode("utf-8", "surrogatepass").translate(None, _BELOW_E0):
            return spaced
        return self._unspaced_run.sub(r" \g<0> ", spaced)

    def term(self, folded: str, whole: bool) -> str:
        """What to look for in :meth:`text` output: ``whole`` word, or word start."""
        spaced = self.text(folded)
        first, last = char_kind(folded[0]), char_kind(folded[-1])
        # Unspaced characters match inside runs: drop the run padding at the ends.
        if first == "unspaced":
            spaced = spaced[1:]
        if last == "unspaced":
            spaced = spaced[:-1]
        if first == "spaced":
            spaced = " " + spaced
        if last == "spaced" and whole:
            spaced += " "
        return spaced


def _write_table(path: str) -> None:
    """Write bot/match/wordtable.py for this Python's Unicode version."""
    from bot.match import wordtable

    def lines(codes: list[int]) -> str:
        out, line = [], ""
        for lo, hi in _as_ranges(codes):
            item = f"{lo:x}" if lo == hi else f"{lo:x}-{hi:x}"
            if len(line) + len(item) + 1 > 86:
                out.append(f'    "{line}"')
                line = ""
            line += item + " "
        return "\n".join([*out, f'    "{line}"'])

    spaced, unspaced = _computed_codes()
    head = (wordtable.__doc__ or "").strip()
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f'"""{head}\n"""\n\nUNIDATA_VERSION = "{unicodedata.unidata_version}"\n\n'
            "# Word characters of scripts written with spaces between words (see words.py).\n"
            f"SPACED = (\n{lines(spaced)}\n)\n\n"
            "# Word characters of scripts written without spaces, below words._LISTED_UP_TO.\n"
            f"UNSPACED = (\n{lines(unspaced)}\n)\n"
        )


if __name__ == "__main__":
    _write_table(__file__.replace("words.py", "wordtable.py"))
