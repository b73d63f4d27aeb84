"""The box's fast paths find exactly what the plain patterns they replaced find.

Each reference pattern below is the straightforward spelling (a scan of the
whole sentence) that the shipped code reorders, searches only the end of,
or replaces with string methods, for speed (``bench/bullets.py``). The
text is generated from the characters the patterns care about, so every
branch is reached.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service.bullets.extractor import is_lead_in
from service.bullets.features import _CAPITALISED
from service.bullets.features import _TOKEN
from service.bullets.features import FIRST_SECOND_PERSON
from service.bullets.features import profile_sentences
from service.bullets.features import runs
from service.checks.facts import _SPELLED
from service.checks.facts import spelled_numbers
from service.text.abbreviations import _CLOCK
from service.text.abbreviations import _CLOCK_CHARS
from service.text.abbreviations import _INNER_END
from service.text.abbreviations import _last_token_start
from service.text.clean import _OPEN_END
from service.text.clean import _OPEN_END_CHARS
from service.text.clean import _SPACES
from service.text.clean import unwrap_dots
from service.text.furniture import _CREDIT
from service.text.furniture import _PICTURE_WORDS
from service.text.furniture import _POINTER
from service.text.furniture import _PRESENT_PICTURE
from service.text.furniture import _WIDGET
from service.text.furniture import _labels_the_page
from service.text.sentences import CAPTION
from service.text.sentences import CREDIT
from service.text.sentences import DANGLING
from service.text.sentences import DANGLING_TAIL
from service.text.sentences import LABEL
from service.text.sentences import Sentence
from service.text.sentences import looks_like_caption
from service.text.tail import search_end

WORDS = (
    "a am pm a.m. p.m. a.m p.m pa.m. 5a.m. I i'm me my we our us you your the of and which "
    "Tom F U.S. St pictured Pictured PICTURED left (pictured) (Pictured (PICTURED (left) (above "
    "(file Photo credits: ( ) [ ] . , - -- \u2014 : said says told added wrote reporters Jones: "
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
@given(text)
def test_a_caption_gated_on_its_words_is_the_plain_pattern(raw: str) -> None:
    plain = PLAIN_CAPTION.search(raw) or LABEL.match(raw)
    assert looks_like_caption(raw) == bool(plain)


PLAIN_LEAD_IN = re.compile(
    r"^[^,]*\b(?:said|says|told\s+\w+|added|explained|insisted|warned|wrote)\s*[.:]?$|:[\s.]*$"
)


@many
@given(text)
def test_a_lead_in_read_from_the_tail_is_the_plain_pattern(raw: str) -> None:
    assert is_lead_in(raw) == bool(PLAIN_LEAD_IN.search(raw))


@pytest.mark.parametrize(
    "raw",
    [
        "Her lawyer said:", "He wrote:.", "The statement added", "Smith told reporters.",
        "In a statement, he added:", "Smith, the lawyer, said", "He said, and then he said",
        "The report said the bridge was unsafe.", "Jones told The Associated Press:",
        "It was, he explained", "They warned :  . ", "Police said on Monday.", "Note: . . .",
        "He said:\u00a0.",
    ],
)  # fmt: skip
def test_a_lead_in_matches_the_plain_pattern_on_commas_and_colons(raw: str) -> None:
    assert is_lead_in(raw) == bool(PLAIN_LEAD_IN.search(raw))


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


PLAIN_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
spaced = st.lists(
    st.sampled_from(("a", " ", "  ", "\t", "\u00a0", "\u2003", "\n", "b.")), max_size=12
)


@many
@given(spaced)
def test_horizontal_space_is_the_plain_substitution(parts: list[str]) -> None:
    block = "".join(parts)
    assert _SPACES.sub(" ", block) == PLAIN_SPACES.sub(" ", block)


# What the page's furniture patterns look for, as the phrases they match and
# the words around them: a word gates a pattern only as a whole run
# ("snapshot" is not "snap").
FURNITURE_PARTS = (
    "Buy it now", "Shop the look", "Earn your stripes", "Grab them", "Snap up this", "Copy her look",
    "Click here", "RRP", "\u00a325 at Asos", "$40 at Target", "\u20ac9 at Zara",
    "available at Asos for", "On sale from Gap now", "Getty Images", "Shutterstock", "Rex Features",
    "Splash News", "AP/Getty", "Reuters/Rex", "Photo:", "Photos:", "Picture:", "Images:",
    "Photograph:", "Credits:", "1,024 shares", "1.2k comments", "30 views", "Write a caption here",
    "contributed to this report", "Contributed reporting", "(Reporting by", "(Editing by",
    "Additional reporting by", "This story has been updated", "This article was corrected",
    "smiles for a selfie", "Poses for the snaps", "smiling for a photo", "posing for the picture",
    "seen here", "Seen here", "pictured above", "Pictured with", "above, left", "below right",
    "In this photo", "in the photograph", "This image shows", "The picture shows",
    "Main picture", "main image", "(from left)", ", left to right,", "was pictured above",
    "Tom", "buy", "share", "viewing", "snapshot", "don't", "photos'", "left", "this", "report",
    "the", ",", ".", "(", ")", ":",
)  # fmt: skip
furniture_text = st.lists(
    st.tuples(st.sampled_from(FURNITURE_PARTS), st.sampled_from((" ", "", "'", "/"))), max_size=6
).map(lambda parts: "".join(part + joiner for part, joiner in parts))


def _runs(text: str) -> frozenset[str]:
    return runs(_TOKEN.findall(text.lower()))


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(furniture_text)
def test_the_furniture_gates_never_hide_a_match(text: str) -> None:
    plain = _WIDGET.search(text) or _CREDIT.search(text) or _POINTER.search(text)
    assert _labels_the_page(text, _runs(text)) == bool(plain)


# A caption's shape: one or two named subjects, maybe an aside, a verb it sees
# (every combination: each verb form must open the gate).
SUBJECTS = ("Tom", "Prince Tom", "Anne of Smith", "the")
PICTURE_VERBS = (
    "poses", "pose", "smiles", "smile", "serve", "serves", "is pictured", "is shown", "is led",
    "are seen", "are pictured", "looks on", "greets", "kneels", "leads", "said", "Poses",
)  # fmt: skip


def test_a_picture_description_always_holds_a_picture_word() -> None:
    for first, joined, second, aside, verb in itertools.product(
        SUBJECTS, ("", " and"), SUBJECTS, ("", " Smith, pictured,", " Tom, left,"), PICTURE_VERBS
    ):
        text = f"{first}{joined} {second}{aside} {verb} at the ball"
        if _PRESENT_PICTURE.match(text):
            assert not _PICTURE_WORDS.isdisjoint(_runs(text)), text


@many
@given(text)
def test_runs_hold_every_word_of_letters(sentence: str) -> None:
    lower = sentence.lower()
    letters = {m.group() for m in re.finditer(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])", lower)}
    assert letters <= runs(_TOKEN.findall(lower))


@many
@given(text)
def test_the_personal_signal_is_the_plain_pattern_outside_quotes(sentence: str) -> None:
    (profile,) = profile_sentences([Sentence(sentence, 0, 0, False, False)])
    outside = re.sub(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]|'[^']{3,}'", " ", sentence)
    assert profile.is_personal == bool(PLAIN_PERSONAL.search(outside))
