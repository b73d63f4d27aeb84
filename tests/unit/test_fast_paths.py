"""The box's fast paths find exactly what the plain patterns they replaced find.

Each reference pattern below is the straightforward spelling (a scan of the
whole sentence) that the shipped code reorders, searches only the end of,
or replaces with string methods, for speed (``bench/bullets.py``). The
text is generated from the characters the patterns care about, so every
branch is reached.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service.bullets.features import _CAPITALISED
from service.bullets.features import FIRST_SECOND_PERSON
from service.checks.facts import _SPELLED
from service.checks.facts import spelled_numbers
from service.text.abbreviations import _CLOCK
from service.text.abbreviations import _CLOCK_CHARS
from service.text.abbreviations import _INNER_END
from service.text.abbreviations import _last_token_start
from service.text.clean import _OPEN_END
from service.text.clean import _OPEN_END_CHARS
from service.text.clean import unwrap_dots
from service.text.sentences import CAPTION
from service.text.sentences import CREDIT
from service.text.sentences import DANGLING
from service.text.sentences import DANGLING_TAIL
from service.text.tail import search_end

WORDS = (
    "a am pm a.m. p.m. a.m p.m pa.m. 5a.m. I i'm me my we our us you your the of and which "
    "Tom F U.S. St pictured left (pictured) (pictured Photo credits: ( ) [ ] . , - -- \u2014 "
    "\" \u201c \u2018 ' ? ! "
    "Smith Anne him New York x"
).split()
JOINERS = (" ", "", "  ", ". ", " . ", "\t.\n", "\t", "\n")

text = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(JOINERS)), max_size=14).map(
    lambda parts: "".join(word + joiner for word, joiner in parts)
)
sentence = text.map(lambda t: t.rstrip() + ".")

PLAIN_LAST_TOKEN = re.compile(r"(?:^|[\s(\[\"\u201c])([A-Za-z][A-Za-z.]*)\.$")
PLAIN_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
PLAIN_PERSONAL = re.compile(r"\b(?:i|i'm|i've|me|my|we|we're|our|us|you|your)\b", re.I)
PLAIN_CAPTION = re.compile(
    r"\((?:pictured|left|right|centre|center|above|below|top|bottom|inset|file photo)"
    r"[^)]*\)|,? pictured\b|^(?:photo|picture|image|credit)s?\s*:",
    re.IGNORECASE,
)
PLAIN_INNER_END = re.compile(
    r"(?:(?<=[.!?][)\]])|(?<=\b[aApP]\.[mM]\.)(?P<clock>))\s+(?=[\"\u201c\u2018']?[A-Z])"
)
PLAIN_WRAP_DOT = re.compile(r"(?<=[a-z,])\s+\.\s+(?=[a-z])")
PLAIN_WRAP_DOT_NAME = re.compile(
    r"(?:\b(the|a|an|and|or|of|than|whose|its|their|our|my|your|to|towards|toward|into|onto|"
    r"from|at|near|with|between|among|amid|against|across|through|via|including)|(,))"
    r"\s+\.\s+(?=[A-Z])"
)

many = settings(max_examples=500, deadline=None, derandomize=True, database=None)


@many
@given(sentence)
def test_last_token_is_the_plain_patterns_group(previous: str) -> None:
    match = PLAIN_LAST_TOKEN.search(previous)
    assert _last_token_start(previous) == (match.start(1) if match else None)


@many
@given(sentence)
def test_clock_in_the_last_characters_is_the_plain_search(previous: str) -> None:
    tail = search_end(_CLOCK, previous, _CLOCK_CHARS)
    assert bool(tail) == bool(_CLOCK.search(previous))


@many
@given(text)
def test_inner_ends_are_the_plain_patterns(segment: str) -> None:
    def ends(pattern: re.Pattern[str]) -> list[tuple[int, int, str | None]]:
        return [(m.start(), m.end(), m.group("clock")) for m in pattern.finditer(segment)]

    assert ends(_INNER_END) == ends(PLAIN_INNER_END)


@many
@given(text)
def test_capitalised_words_are_the_plain_patterns(sentence: str) -> None:
    assert _CAPITALISED.findall(sentence) == PLAIN_CAPITALISED.findall(sentence)


@many
@given(text)
def test_first_and_second_person_is_the_plain_pattern(sentence: str) -> None:
    assert bool(FIRST_SECOND_PERSON.search(sentence)) == bool(PLAIN_PERSONAL.search(sentence))
    assert bool(FIRST_SECOND_PERSON.match(sentence)) == bool(PLAIN_PERSONAL.match(sentence))


@many
@given(text)
def test_captions_are_the_plain_pattern(raw: str) -> None:
    assert bool(CAPTION.search(raw) or CREDIT.match(raw)) == bool(PLAIN_CAPTION.search(raw))


@many
@given(sentence)
def test_dangling_end_in_the_tail_is_the_plain_search_on_normalised_text(raw: str) -> None:
    normalised = " ".join(raw.split())
    tail = search_end(DANGLING, normalised, DANGLING_TAIL)
    assert bool(tail) == bool(DANGLING.search(normalised))


@many
@given(text)
def test_open_end_in_the_tail_is_the_plain_search(block: str) -> None:
    tail = search_end(_OPEN_END, block, _OPEN_END_CHARS)
    assert bool(tail) == bool(_OPEN_END.search(block))


@many
@given(text)
def test_unwrapping_dots_is_the_plain_substitutions(block: str) -> None:
    plain = PLAIN_WRAP_DOT_NAME.sub(r"\1\2 ", PLAIN_WRAP_DOT.sub(" ", block))
    assert unwrap_dots(block) == plain


NUMBER_PARTS = (
    "one two ten Ten TWENTY twenty-five fourteen fourth seventy seven hundred thousand million "
    "dozen someone often tend none nine nineteen 5ten ten5 _ten \u00e9ten ten\u00e9 one's "
    "\u0130stanbul fifty-fifty a"
).split()
number_text = st.lists(
    st.tuples(st.sampled_from(NUMBER_PARTS), st.sampled_from((" ", "-", "", ", ", "'"))),
    max_size=10,
).map(lambda parts: "".join(word + joiner for word, joiner in parts))


@many
@given(number_text)
def test_spelled_numbers_are_the_plain_patterns_matches(text: str) -> None:
    plain = [(m.start(), m.end()) for m in _SPELLED.finditer(text)]
    assert [(m.start(), m.end()) for m in spelled_numbers(text)] == plain
