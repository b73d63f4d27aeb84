"""Find the checkable facts of a sentence: numbers, dates, names, quotes, negations.

Every fact keeps its character span in the sentence, so an unsupported
one can be shown to the editor exactly where it stands. Values are
normalised so that "1,000", "1000" and "one thousand" are one number, and
"Sept." and "September" one month.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass

from nltk.stem.porter import PorterStemmer

from service.bullets.features import STOPWORDS

_STEMMER = PorterStemmer()
MAX_STEMMED = 40  # a longer "word" is debris or an attack: the stemmer is slow on it
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_NUMBER = re.compile(
    r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th)?(%| ?percent\b| ?per cent\b)?"
    r"(?: ?(thousand|million|billion|trillion|m|bn|k)\b)?",
    re.IGNORECASE,
)
_LOOSE_NUMBER = re.compile(
    r"(?<![\w.])\$?(\d{1,3}(?:, ?\d{3}(?!\d))+|\d+)(\. ?\d+)?(?:st|nd|rd|th)?"
    r"(%| ?percent\b| ?per cent\b)?(?: ?(thousand|million|billion|trillion|m|bn|k)\b)?",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "trillion": 1e12,
}  # fmt: skip
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS |= {"ninety": 90, "twenty": 20}
_NUMBER_WORDS = {word: float(value) for value, word in enumerate(_UNITS)} | {
    word: float(value) for word, value in _TENS.items()
}
_NUMBER_WORDS |= {"dozen": 12.0, "hundred": 100.0}
_WORDS_ALTERNATIVE = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_SPELLED = re.compile(
    rf"\b(?:{_WORDS_ALTERNATIVE})(?:[- ](?:{_WORDS_ALTERNATIVE}))*"
    r"(?: (?:thousand|million|billion|trillion))?\b",
    re.IGNORECASE,
)
_LETTER_RUN = re.compile(r"\b[A-Za-z]+")
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH_FORMS = {m: m for m in _MONTHS} | {m[:3]: m for m in _MONTHS} | {"sept": "september"}
# "May" is the month only in a date's company: "May 3", "in May", "last May".
_MAY_AS_MONTH = re.compile(
    r"\bMay\s+\d|\b(?:in|on|since|until|by|last|next|this|early|late|mid|of|from)\s+May\b"
)
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NEGATION = re.compile(
    r"\b(?:not|no(?!\.?\s*\d)|never|none|nobody|nothing|neither|nor|cannot|without|"
    r"fail(?:s|ed)? to|den(?:y|ies|ied))\b|\b\w*n ?['\u2019] ?t\b",
    re.IGNORECASE,
)  # "doesn't", "does n't" and "doesn ’ t" (detokenised copy) alike
_QUOTED = re.compile(
    r"(?:[\"\u201c]|``)([^\"\u201c\u201d`]{3,}?)(?:[\"\u201d]|'')"
    r"|(?<!\w)(?<!s )['\u2018`](?!(?:s|t|re|ll|ve|d|m)\b)([^'\u2018\u2019`]{12,}?)['\u2019](?!\w)"
)  # a lone ' after a space is often a detokenised "'s", never a quote opener


@dataclass(frozen=True, slots=True)
class Fact:
    """A checkable span of a sentence: its kind, place and normalised value."""

    kind: str  # number, date, name, quote, negation, other
    start: int
    end: int
    value: str


def stem(word: str) -> str:
    """Return the Porter stem of a lowercase word (cached); no real word is over 40 letters."""
    lower = word.lower()
    return lower if len(lower) > MAX_STEMMED else _stem(lower)


@functools.lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return str(_STEMMER.stem(word))


def words(text: str) -> Sequence[tuple[str, int, int]]:
    """Return each word with its span: letters (with apostrophes) or digits.

    A sentence is read by several checks in turn (facts, polarity, n-grams),
    so the words of short texts are remembered (the last 256; an
    article's whole text is read once and never kept).
    """
    if len(text) <= _REMEMBERED_CHARS:
        return _short_words(text)
    return _read_words(text)


def stemmed(text: str) -> Sequence[str]:
    """Return the stem of each of ``words(text)``, in order (remembered like them)."""
    if len(text) <= _REMEMBERED_CHARS:
        return _short_stems(text)
    return [stem(w) for w, _, _ in _read_words(text)]


_REMEMBERED_CHARS = 1_000


@functools.lru_cache(maxsize=256)
def _short_words(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple(_read_words(text))


@functools.lru_cache(maxsize=256)
def _short_stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w, _, _ in _short_words(text))


def _read_words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def is_content(word: str) -> bool:
    """Tell whether a word carries meaning (not a stopword, not one letter)."""
    lower = word.lower()
    return (
        len(lower) > 1
        and lower not in STOPWORDS
        and not lower.isdigit()
        and not lower.startswith(("n'", "n\u2019"))
    )


def numbers(text: str, *, loose: bool = False) -> list[Fact]:
    """Return the numbers of a text, written in digits or in words, as values.

    ``loose`` also reads numbers split by detokenised copy ("235, 000",
    "98. 7 per cent"): right for the article, whose every reading is
    a number it may be quoted with, never for the claim being checked.
    """
    return [Fact(kind, start, end, value) for kind, start, end, value in _readings(text, loose)]


def number_values(text: str, *, loose: bool = False) -> set[tuple[str, str]]:
    """Return the distinct (kind, value) pairs that ``numbers`` would find, without positions.

    For the whole article, where only the values matter: a number repeated
    thousands of times costs no ``Fact`` per occurrence.
    """
    return {(kind, value) for kind, _, _, value in _readings(text, loose)}


def every_number_value(text: str) -> tuple[set[tuple[str, str]], set[str]]:
    """Return ``number_values(text)`` and every value that either reading finds."""
    strict = number_values(text)
    loose = {value for _, _, _, value in _readings(text, loose=True, spelled=False)}
    return strict, loose | {value for _, value in strict}


def _readings(text: str, loose: bool, spelled: bool = True) -> Iterator[tuple[str, int, int, str]]:
    """Yield (kind, start, end, value) per number, parsing each distinct spelling once.

    ``spelled=False`` leaves out numbers written in words (the same for both
    patterns, so an article read twice reads them once).
    """
    pattern = _LOOSE_NUMBER if loose else _NUMBER
    digits: dict[str, tuple[str, str]] = {}
    for match in pattern.finditer(text):
        kind, value = digits.get(match.group()) or digits.setdefault(match.group(), _read(match))
        yield kind, match.start(), match.end(), value
    if not spelled:
        return
    phrases: dict[str, float | None] = {}
    for match in spelled_numbers(text):
        phrase = match.group().lower()
        if phrase not in phrases:
            phrases[phrase] = _spelled_value(phrase)
        if (amount := phrases[phrase]) is not None:
            yield "number", match.start(), match.end(), f"{amount:g}"


def spelled_numbers(text: str) -> Iterator[re.Match[str]]:
    """Yield what ``_SPELLED.finditer`` would, trying the pattern only where it can match.

    The pattern's long alternation is slow to try at every word; a match
    always begins where a number word begins, which ``str.find`` locates
    (a few dozen C scans of the lowercased text) before the pattern is
    tried there.
    """
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lowercase is longer: offsets would shift
        starts = sorted(w.start() for w in _LETTER_RUN.finditer(text))
    else:
        starts = sorted({i for word in _NUMBER_WORDS for i in _occurrences(lower, word)})
    end = 0
    for start in starts:
        if start < end:
            continue
        match = _SPELLED.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def _occurrences(text: str, word: str) -> Iterator[int]:
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def _read(match: re.Match[str]) -> tuple[str, str]:
    """Return the kind ("date" for a bare year) and normalised value of a number match."""
    whole, fraction, percent, scale = (g and g.replace(" ", "") for g in match.groups())
    value = float(whole.replace(",", "") + (fraction or ""))
    if scale:
        value *= _SCALES[scale.lower()]
    kind = "date" if _is_year(whole, fraction, percent, scale) else "number"
    return kind, f"{value:g}{'%' if percent else ''}"


def _is_year(whole: str, fraction: str | None, percent: str | None, scale: str | None) -> bool:
    return len(whole) == 4 and not (fraction or percent or scale) and 1800 <= int(whole) <= 2100


def _spelled_value(phrase: str) -> float | None:
    total, current = 0.0, 0.0
    for part in re.split(r"[- ]", phrase):
        if part in _SCALES and part not in ("m", "k", "bn"):
            total += max(current, 1.0) * _SCALES[part]
            current = 0.0
        elif part == "hundred":
            current = max(current, 1.0) * 100
        elif part in _NUMBER_WORDS:
            current += _NUMBER_WORDS[part]
        else:
            return None
    value = total + current
    return None if phrase in ("one", "zero") else value  # "one of the" is rarely a count


def dates(text: str, found_numbers: list[Fact] | None = None) -> list[Fact]:
    """Return years (``numbers(text)`` if known) and weekday and month names (normalised)."""
    every = numbers(text) if found_numbers is None else found_numbers
    return [f for f in every if f.kind == "date"] + date_names(text)


def date_names(text: str) -> list[Fact]:
    """Return weekday and month names, normalised ("Sept." -> "september")."""
    found = []
    for word, start, end in words(text):
        lower = word.lower()
        if lower in _WEEKDAYS:
            found.append(Fact("date", start, end, lower))
        elif lower in _MONTH_FORMS and lower != "mar" and (len(lower) > 3 or word[:1].isupper()):
            if lower != "may" or _MAY_AS_MONTH.search(text[max(0, start - 12) : end + 4]):
                found.append(Fact("date", start, end, _MONTH_FORMS[lower]))
    return found


def names(text: str) -> list[Fact]:
    """Return capitalised words that are not the first word of a sentence.

    All-lowercase text (as some systems write) has no detectable names;
    its words are still checked as plain content words.
    """
    found = []
    for word, start, end in words(text):
        if not word[:1].isupper() or word.isupper() and len(word) > 4:
            continue
        before = text[:start].rstrip(" \"'\u201c\u2018(")
        if not before or before[-1] in ".!?:":
            continue  # sentence-initial: capitalised for grammar, not a name
        lower = word.lower()
        if lower in STOPWORDS or lower in _WEEKDAYS or lower in _MONTH_FORMS:
            continue
        found.append(Fact("name", start, end, lower))
    return found


def quotes(text: str) -> list[Fact]:
    """Return quoted passages (the words inside the marks, normalised)."""
    found = []
    for match in _QUOTED.finditer(text):
        inner = match.group(1) or match.group(2)
        key = " ".join(w.lower() for w, _, _ in words(inner))
        if len(key.split()) >= 2:
            found.append(Fact("quote", match.start(), match.end(), key))
    return found


def negations(text: str) -> list[Fact]:
    """Return the negating words of a sentence ("not", "never", "didn't", "failed to")."""
    return [
        Fact("negation", m.start(), m.end(), m.group().lower()) for m in _NEGATION.finditer(text)
    ]


_CLAUSE_END = re.compile(r"[,;:.!?()\u2014]| -- ")


def negated_words(text: str) -> set[str]:
    """Return the stem of the word each negation governs (its first content word within three)."""
    governed = set()
    for match in _NEGATION.finditer(text):
        clause = _CLAUSE_END.split(text[match.end() : match.end() + 60], maxsplit=1)[0]
        after = [w for w, _, _ in words(clause)][:3]
        content = [w for w in after if is_content(w)]
        if content:
            governed.add(stem(content[0]))
    return governed


_ANTONYM_PAIRS = """
increase decrease|increase decline|increase fall|increase drop|rise fall|rise drop|rise decline|
gain loss|win lose|won lost|rose fell|rises falls|rising falling|grew shrank|grow shrink|
wins loses|winning losing|higher lower|earlier later|open close|opened closed|opening closing|
add cut|adding cutting|accept reject|accepted rejected|allow ban|allowed banned|approve reject|
approved rejected|support oppose|supported opposed|raise lower|raised lowered|buy sell|
bought sold|arrive depart|guilty innocent|convicted acquitted|alive dead|survived died|
strong weak|largest smallest|biggest smallest|maximum minimum|include exclude|included excluded|
positive negative|success failure|successful unsuccessful|legal illegal|domestic foreign|
import export|male female|husband wife|father mother|son daughter|brother sister|
hired fired|agree disagree|oldest youngest|victory defeat|ally enemy|profit loss|
rejected accepted|praised criticised|praised criticized|confirmed denied
"""
ANTONYMS: dict[str, set[str]] = {}
for _pair in _ANTONYM_PAIRS.replace("\n", "").split("|"):
    if _pair.strip():
        _a, _b = (stem(w) for w in _pair.split())
        ANTONYMS.setdefault(_a, set()).add(_b)
        ANTONYMS.setdefault(_b, set()).add(_a)


def contradicts(claim: set[str], source: set[str]) -> set[str]:
    """Return the claim's stems whose antonym the source says instead of them."""
    return {s for s in claim - source if ANTONYMS.get(s, set()) & (source - claim)}
