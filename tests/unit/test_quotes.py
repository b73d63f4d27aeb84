"""Quotation marks that pair with nothing, and apostrophes that open no quotation."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service.bullets.extractor import _has_unbalanced_quote
from service.bullets.extractor import _quote_events
from service.text.article import prepare
from service.text.quotes import read_marks
from service.text.quotes import splitter_view
from service.text.sentences import SEGMENT_CHARS
from service.text.sentences import _segments
from service.text.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval"
# A sentence that opens on the mark closing the one before: '" That was ...'.
_OPENS_ON_A_CLOSING_MARK = re.compile(r'^(?:["\u201d]\s|\u201d)')

# The paragraphs of one quotation joined into one line, as CNN/DailyMail copy
# comes (after the Power/Rangers, Radcliffe and Kaka stories of val and train).
REOPENED = [
    ('"So all you had was stories. So I\'d tell people stories. "And I got into trouble," '
     "he added. That was more than 20 years ago for Shankar. But the producer, now 30, "
     "got his wish.",
     ['"So all you had was stories.', "So I'd tell people stories.",
      '"And I got into trouble," he added.', "That was more than 20 years ago for Shankar.",
      "But the producer, now 30, got his wish."]),
    ('"I don\'t plan to be one of those people. "I don\'t think I\'ll be particularly '
     'extravagant," he said. At 18, Radcliffe will be able to gamble in a casino.',
     ['"I don\'t plan to be one of those people.',
      '"I don\'t think I\'ll be particularly extravagant," he said.',
      "At 18, Radcliffe will be able to gamble in a casino."]),
    # Opened three times, closed once: each reopening mark opens its own sentence.
    ('"I don\'t think this win is for myself," Elliott said. "The supporters have been '
     'amazing. "I think we timed the pace of the innings to perfection. I wasn\'t as calm as I '
     'looked. "It has been a pleasure." Then he left.',
     ['"I don\'t think this win is for myself," Elliott said.',
      '"The supporters have been amazing.',
      '"I think we timed the pace of the innings to perfection.',
      "I wasn't as calm as I looked.", '"It has been a pleasure."', "Then he left."]),
    # Scare quotes in double marks inside a quotation (after the Alabama ruling story).
    ('The group said that "the ruling rebuts the arguments for same-sex "marriage" employed by '
     'federal courts." In his dissent, Justice Greg Shaw disagreed.',
     ['The group said that "the ruling rebuts the arguments for same-sex "marriage" employed by '
      'federal courts."', "In his dissent, Justice Greg Shaw disagreed."]),
    # A closing mark set off by a space after a nested quotation or a sentence end.
    ('"Because the parents were like, \'This guy is ruining our children!\' " That was more '
     "than 20 years ago for Shankar. But the producer got his wish.",
     ['"Because the parents were like, \'This guy is ruining our children!\' "',
      "That was more than 20 years ago for Shankar.", "But the producer got his wish."]),
    ('He said "it is over. " Then he left.', ['He said "it is over. "', "Then he left."]),
    # A mark after a number that is inches, not a quotation.
    ('"Snow really coming down in Lexington, KY. A solid 1"+ per hour snowfall rate!" tweets '
     "T.G. Shuck. Enough snow for an emergency.",
     ['"Snow really coming down in Lexington, KY. A solid 1"+ per hour snowfall rate!" tweets '
      "T.G. Shuck.", "Enough snow for an emergency."]),
    ("\u201cWe came here to win. \u201cWe did,\u201d he said. The club fired him on Monday.",
     ["\u201cWe came here to win.", "\u201cWe did,\u201d he said.",
      "The club fired him on Monday."]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), REOPENED, ids=[r[1][-1][:30] for r in REOPENED])
def test_a_quotation_reopened_in_the_next_paragraph_does_not_glue_what_follows(
    text: str, expected: list[str]
) -> None:
    assert split_sentences(text) == expected


# Windows of train.jsonl copy (CNN/DailyMail ids) from a reopened quotation on:
# the splitter, blind to nothing, began a sentence on a closing mark in each.
REAL = json.loads((Path(__file__).parent / "quote_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", REAL, ids=[c["id"][-12:] for c in REAL])
def test_real_reopened_quotations_split_without_a_sentence_on_a_closing_mark(
    case: dict[str, str],
) -> None:
    sentences = split_sentences(case["text"])
    assert not [s for s in sentences if _OPENS_ON_A_CLOSING_MARK.match(s)]
    assert "".join(sentences).replace(" ", "") == case["text"].replace(" ", "")


def test_the_real_cases_are_at_least_ten() -> None:
    assert len(REAL) >= 10


def test_a_long_paragraph_is_never_cut_for_the_splitter_inside_a_quotation() -> None:
    """sentencex reads long paragraphs in blocks; one begun inside a quotation reads it inverted."""
    filler = "The council met on Monday to discuss the budget for the coming year. "
    quotation = (
        '"Why do certain people start out with a higher immune response? Is it built in or have '
        'they been exposed to some kind of pathogen?" asks Baker.'
    )
    for shift in range(0, 120, 7):  # the block limit falls at every point of the quotation
        text = filler * ((SEGMENT_CHARS - shift) // len(filler)) + quotation + " Stress may be."
        sentences = split_sentences(text)
        assert sentences[-1] == "Stress may be."
        assert sentences[-2].endswith('pathogen?" asks Baker.')


def test_the_reopened_quotations_first_mark_is_the_orphan() -> None:
    text = '"It was long. "It was hard," he said. "Never again," she said.'
    assert read_marks(text).orphans == [0]
    assert splitter_view(text) == " " + text[1:]


@pytest.mark.parametrize(
    "text",
    [
        '"It is over," he said. Then he left.',
        'He called it "a disgrace." She said "no" twice.',
        "\u201cWe won,\u201d he said, and \u201cwe will again.\u201d",
        'The film "Power/Rangers" ("a bootleg") ran.',
        'He said: "Yes." "No," she said.',
    ],
)
def test_paired_marks_are_never_orphans(text: str) -> None:
    assert read_marks(text).orphans == []
    assert splitter_view(text) is text


_WORDS = st.sampled_from(["He", "said", "it", "was", "over", "Then", "Jones", "left", "7"])
_PIECES = st.lists(
    st.one_of(_WORDS, st.sampled_from(['"', "\u201c", "\u201d", ".", ",", "!", "?", "'", "("])),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_PIECES, st.lists(st.sampled_from(["", " ", "  "]), min_size=40, max_size=40))
def test_the_splitter_cuts_the_text_itself_whatever_its_marks(
    pieces: list[str], gaps: list[str]
) -> None:
    """The view moves or blanks only marks; the splitter's pieces are the text's own."""
    text = "".join(p + g for p, g in zip(pieces, gaps, strict=False))
    view = splitter_view(text)
    assert len(view) == len(text)
    changed = [(a, b) for a, b in zip(text, view, strict=True) if a != b]
    assert all(a in "\"\u201c\u201d'\u2019 " and b in '" ' for a, b in changed)
    assert "".join(_segments(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, _WORDS, st.booleans()), min_size=1, max_size=8))
def test_balanced_quotations_in_any_order_have_no_orphans(
    quotes: list[tuple[str, str, bool]],
) -> None:
    text = " ".join(
        f'"{a} {b}," he said.' if curly else f"\u201c{a} {b}.\u201d Then {b} left."
        for a, b, curly in quotes
    )
    assert read_marks(text).orphans == []


@pytest.mark.skipif(not (SHARED / "train.jsonl").exists(), reason="needs ../shared/eval")
def test_almost_no_train_sentence_opens_on_the_mark_that_closes_the_one_before() -> None:
    """96 of the 992 train stories had one (250 sentences) before the marks were read; 3 now."""
    stories = 0
    with open(SHARED / "train.jsonl", encoding="utf-8") as handle:
        for line in handle:
            texts = [s.text for s in prepare(json.loads(line)["article"]).sentences]
            stories += any(_OPENS_ON_A_CLOSING_MARK.match(t) for t in texts)
    assert stories <= 10


# Real sentences of train.jsonl and val.jsonl with an elision where an opening single
# mark would stand: none opens a quotation.
ELISIONS = [
    "Saban Entertainment has its own plans to reboot the popular '90s franchise.",
    "Love had a bit role on this first season, as has supermodel Naomi Campbell and '80s actor "
    "Judd Nelson.",
    "Gonzaga broke into nationwide consciousness in the late '90s.",
    "It is very hard now to credit the fear and prejudice which surrounded Aids in the '80s.",
    "Bring 'em on!",
    "In August of '77, Bobby Murcer of the Cubs promised to hit a home run for a fan.",
    "Most interesting was the introduction of Keith David as '90s tech genius Elroy.",
    "Driving games and shoot 'em ups using the technology are in development.",
    "The band played rock 'n' roll until dawn.",
    "He said he would stay 'til the end of the season.",
    "The class of \u201908 graduated on Friday.",
]


@pytest.mark.parametrize("text", ELISIONS)
def test_an_elision_opens_no_quotation(text: str) -> None:
    assert not _has_unbalanced_quote(text)
    assert _quote_events(text) == []


@pytest.mark.parametrize(
    "text", ["He said: 'When he gets the best players back", "She wrote: 'Em and I were late"]
)
def test_a_single_mark_before_a_word_still_opens_a_quotation(text: str) -> None:
    assert _has_unbalanced_quote(text)
    assert _quote_events(text) == [True]
