"""Sentence splitting on wire copy: every abbreviation class AP style uses."""

import json
import re
from pathlib import Path

import pytest

from service.text.abbreviations import MONTHS
from service.text.abbreviations import NUMBERED
from service.text.abbreviations import SUFFIXES
from service.text.abbreviations import TITLES
from service.text.article import prepare
from service.text.sentences import _quotes_opened_where_they_open
from service.text.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval"

# (text, expected sentences): one row per case, grouped by class.
CASES = [
    # Clock times before weekdays, dates, zones and clauses.
    ("The fire was 5% contained as of 7 a.m. Monday, according to Cal Fire. It grew.",
     ["The fire was 5% contained as of 7 a.m. Monday, according to Cal Fire.", "It grew."]),
    ("He arrived at 3 p.m. Tuesday and left. Then he spoke.",
     ["He arrived at 3 p.m. Tuesday and left.", "Then he spoke."]),
    ("The meeting is at 10 a.m. ET on Friday. It is open.",
     ["The meeting is at 10 a.m. ET on Friday.", "It is open."]),
    ("Polls close at 8 p.m. EST in most states. Counting starts.",
     ["Polls close at 8 p.m. EST in most states.", "Counting starts."]),
    ("It ended at 5 p.m. local time. Then it rained.",
     ["It ended at 5 p.m. local time.", "Then it rained."]),
    ("The vote is at 9 a.m. Sept. 12 in the chamber. Few will come.",
     ["The vote is at 9 a.m. Sept. 12 in the chamber.", "Few will come."]),
    ("Doors open at 6 p.m. tomorrow. Bring ID.", ["Doors open at 6 p.m. tomorrow.", "Bring ID."]),
    ("The quake struck at 4 a.m. (0900 GMT) near the coast. Nobody died.",
     ["The quake struck at 4 a.m. (0900 GMT) near the coast.", "Nobody died."]),
    ("The shop closes at 5 p.m. The owner goes home.",
     ["The shop closes at 5 p.m.", "The owner goes home."]),
    ("Trading opened at 9:30 a.m. Eastern time. Stocks fell.",
     ["Trading opened at 9:30 a.m. Eastern time.", "Stocks fell."]),
    ("The attack began about 2 a.m. Saturday. Police arrived later.",
     ["The attack began about 2 a.m. Saturday.", "Police arrived later."]),
    # Months and dates.
    ("It happened on Jan. 5 in Ohio. Nobody saw it.", ["It happened on Jan. 5 in Ohio.", "Nobody saw it."]),
    ("It was signed Sept. 11, 2001. Later it changed.",
     ["It was signed Sept. 11, 2001.", "Later it changed."]),
    ("Dec. 25 is Christmas. Aug. 4 is not.", ["Dec. 25 is Christmas.", "Aug. 4 is not."]),
    ("The trial starts Oct. 3 and ends Nov. 30. Both sides agree.",
     ["The trial starts Oct. 3 and ends Nov. 30.", "Both sides agree."]),
    ("Filing closes Feb. 1. Late entries fail.", ["Filing closes Feb. 1.", "Late entries fail."]),
    ("The law took effect Aug. 1 in the U.S. Monday's ruling upheld it.",
     ["The law took effect Aug. 1 in the U.S. Monday's ruling upheld it."]),
    # Titles and ranks.
    ("Gov. Gavin Newsom spoke. Then he left.", ["Gov. Gavin Newsom spoke.", "Then he left."]),
    ("Sen. Ted Cruz, R-Texas, spoke. Rep. Nancy Pelosi did not.",
     ["Sen. Ted Cruz, R-Texas, spoke.", "Rep. Nancy Pelosi did not."]),
    ("Lt. Col. Mark Smith led the unit. It won.", ["Lt. Col. Mark Smith led the unit.", "It won."]),
    ("Dr. Who aired again. Fans cheered.", ["Dr. Who aired again.", "Fans cheered."]),
    ("Mr. and Mrs. Smith came. Ms. Jones came too.",
     ["Mr. and Mrs. Smith came.", "Ms. Jones came too."]),
    ("Gen. Mark Milley spoke. Adm. John Aquilino did too.",
     ["Gen. Mark Milley spoke.", "Adm. John Aquilino did too."]),
    ("Maj. Gen. Pat Ryder briefed reporters. He was brief.",
     ["Maj. Gen. Pat Ryder briefed reporters.", "He was brief."]),
    ("The Rev. Al Sharpton marched. Prof. Ann Smith wrote.",
     ["The Rev. Al Sharpton marched.", "Prof. Ann Smith wrote."]),
    ("Sgt. First Class Lee was hurt. Capt. Ortiz was not.",
     ["Sgt. First Class Lee was hurt.", "Capt. Ortiz was not."]),
    ("Det. Sam Ray found it. Atty. Gen. Bill Barr agreed.",
     ["Det. Sam Ray found it.", "Atty. Gen. Bill Barr agreed."]),
    ("She met Pres. Lincoln. He smiled.", ["She met Pres. Lincoln.", "He smiled."]),
    # Places.
    ("It is in St. Louis. It is big.", ["It is in St. Louis.", "It is big."]),
    ("He lives on Main St. The house is old.", ["He lives on Main St.", "The house is old."]),
    ("They climbed Mt. Everest. It was cold.", ["They climbed Mt. Everest.", "It was cold."]),
    ("The base is at Ft. Bragg. It is large.", ["The base is at Ft. Bragg.", "It is large."]),
    ("It is in Washington, D.C. Now it grows.", ["It is in Washington, D.C.", "Now it grows."]),
    # Numbers.
    ("The No. 2 team won. The No. 1 seed lost.", ["The No. 2 team won.", "The No. 1 seed lost."]),
    ("No. It did not happen.", ["No.", "It did not happen."]),
    ("Approx. 5 people came. Most left.", ["Approx. 5 people came.", "Most left."]),
    ("See Art. 5 of the treaty. It is clear.", ["See Art. 5 of the treaty.", "It is clear."]),
    ("He is 6 ft. 2 in. tall. She is shorter.", ["He is 6 ft. 2 in. tall.", "She is shorter."]),
    ("Prices rose 3.5 percent. Wages fell 1.2 percent.",
     ["Prices rose 3.5 percent.", "Wages fell 1.2 percent."]),
    ("Sales hit $1.5 billion. Profit fell.", ["Sales hit $1.5 billion.", "Profit fell."]),
    ("It cost 4.99 euros. He paid.", ["It cost 4.99 euros.", "He paid."]),
    ("The rate was 0.25%. It rose.", ["The rate was 0.25%.", "It rose."]),
    # Acronyms.
    ("U.S. officials said so. The U.K. agreed.", ["U.S. officials said so.", "The U.K. agreed."]),
    ("The U.S. Army said it would. It did.", ["The U.S. Army said it would.", "It did."]),
    ("It was the U.N. Security Council. The E.U. said no.",
     ["It was the U.N. Security Council.", "The E.U. said no."]),
    ("He moved to the U.S. in 1990. He stayed.", ["He moved to the U.S. in 1990.", "He stayed."]),
    ("It came from the U.S. Friday's shipment was late.",
     ["It came from the U.S. Friday's shipment was late."]),
    ("She works for the F.B.I. She is an agent.", ["She works for the F.B.I.", "She is an agent."]),
    # Companies and suffixes.
    ("Shares of Apple Inc. fell 2%. Google rose.", ["Shares of Apple Inc. fell 2%.", "Google rose."]),
    ("Acme Co. said it would. Others did not.", ["Acme Co. said it would.", "Others did not."]),
    ("He sued Acme Corp. The case is open.", ["He sued Acme Corp.", "The case is open."]),
    ("Acme Ltd. reported a loss. Shares fell.", ["Acme Ltd. reported a loss.", "Shares fell."]),
    ("John F. Kennedy Jr. and friends came. They ate.",
     ["John F. Kennedy Jr. and friends came.", "They ate."]),
    ("Warner Bros. released it. It flopped.", ["Warner Bros. released it.", "It flopped."]),
    ("The vote was 5-4 in Roe v. Wade. It stood.", ["The vote was 5-4 in Roe v. Wade.", "It stood."]),
    ("It was Smith vs. Jones. Jones won.", ["It was Smith vs. Jones.", "Jones won."]),
    # Initials.
    ("John F. Kennedy was shot. The nation mourned.",
     ["John F. Kennedy was shot.", "The nation mourned."]),
    ("J.R.R. Tolkien wrote it. Readers loved it.", ["J.R.R. Tolkien wrote it.", "Readers loved it."]),
    ("George W. Bush spoke. He left.", ["George W. Bush spoke.", "He left."]),
    ("Author E. B. White wrote it. It sold.", ["Author E. B. White wrote it.", "It sold."]),
    # Quotes, brackets and ellipses.
    ('He said, "I am done." Then he left.', ['He said, "I am done."', "Then he left."]),
    ("She wrote, \u201cNo way.\u201d He replied.", ["She wrote, \u201cNo way.\u201d", "He replied."]),
    ('He said: "We won!" The crowd cheered.', ['He said: "We won!"', "The crowd cheered."]),
    ("He left (for good.) She stayed.", ["He left (for good.)", "She stayed."]),
    ("The fire (which started at 2 a.m.) spread. It burned.",
     ["The fire (which started at 2 a.m.) spread.", "It burned."]),
    ("Wait... what happened? Nothing.", ["Wait... what happened?", "Nothing."]),
    ("He paused \u2026 then spoke. It ended.", ["He paused \u2026 then spoke.", "It ended."]),
    ("Was it safe? Nobody knew.", ["Was it safe?", "Nobody knew."]),
    # A "?" or "!" inside a name does not end the sentence a lowercase word continues.
    ("Stuff and What Hi-Fi? are hosting a gadget show. It opens Friday.",
     ["Stuff and What Hi-Fi? are hosting a gadget show.", "It opens Friday."]),
    ("The song Do They Know It's Christmas? has gone to number one. It sold.",
     ["The song Do They Know It's Christmas? has gone to number one.", "It sold."]),
    ("Who Wants to Be a Millionaire? host Chris Tarrant quit. He was 61.",
     ["Who Wants to Be a Millionaire? host Chris Tarrant quit.", "He was 61."]),
    ("Shares in Yahoo! rose. Google fell.", ["Shares in Yahoo! rose.", "Google fell."]),
    ("The world No 1. player lost. Fans wept.", ["The world No 1. player lost.", "Fans wept."]),
    ("He starred in the E! reality series. It ran.", ["He starred in the E! reality series.", "It ran."]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_split_sentences_handles_wire_copy(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_sentences_table_covers_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


_KNOWN = "|".join(sorted(SUFFIXES | TITLES | NUMBERED | MONTHS | {"a.m", "p.m"}))
_ABBREVIATION_END = re.compile(rf"(?:(?:[A-Za-z]\.){{2,}}|\b(?:{_KNOWN})\.)$", re.IGNORECASE)
_CALENDAR = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
    r"April|May|June|July|August|September|October|November|December)\b"
)


@pytest.mark.skipif(not (SHARED / "train.jsonl").exists(), reason="needs ../shared/eval")
def test_no_train_sentence_starts_lowercase_or_with_a_date_after_an_abbreviation() -> None:
    bad = []
    with open(SHARED / "train.jsonl", encoding="utf-8") as handle:
        for line in handle:
            texts = [s.text for s in prepare(json.loads(line)["article"]).sentences]
            for before, after in zip(texts, texts[1:], strict=False):
                starts_lower = re.match(r"[a-z]+(?=[\s,;:)']|$)", after)
                if starts_lower or (_ABBREVIATION_END.search(before) and _CALENDAR.match(after)):
                    bad.append((before[-40:], after[:40]))
    assert bad == []


@pytest.mark.parametrize("mark", ['"', "\u201c", "\u2018"])
@pytest.mark.parametrize(
    "segments",
    [
        ["Jackson resigned Wednesday. {q}", "We are actively addressing the issues."],
        ["His agent had no comment. {q}", "I'll have some sort of party,", "he said."],
    ],
)
def test_an_opening_quote_left_at_a_segments_end_moves_to_the_sentence_it_opens(
    mark: str, segments: list[str]
) -> None:
    """What the splitter does to a quotation that does not close in view."""
    moved = _quotes_opened_where_they_open([s.format(q=mark) for s in segments])
    assert moved[0] == segments[0].format(q="").rstrip()
    assert moved[1] == mark + segments[1]
    assert "".join(moved).count(mark) == 1


def test_a_closing_quote_and_a_last_lone_mark_stay_or_go() -> None:
    assert _quotes_opened_where_they_open(['"It is over," he said.', "Then he left."]) == [
        '"It is over," he said.',
        "Then he left.",
    ]
    assert _quotes_opened_where_they_open(['He left. "']) == ["He left."]


def test_a_quotation_running_into_the_next_paragraph_opens_its_own_sentence() -> None:
    text = 'His agent had no comment on his plans. "I will definitely have a party. It will be big.'
    assert split_sentences(text)[:2] == [
        "His agent had no comment on his plans.",
        '"I will definitely have a party.',
    ]
