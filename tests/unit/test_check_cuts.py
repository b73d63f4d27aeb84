"""The box's bullets are checked against the sentence each was cut from, not the whole article."""

from __future__ import annotations

import pytest

from service.bullets.extractor import BulletExtractor
from service.checks.checker import copied
from service.checks.checker import cut_of
from service.checks.checker import find
from service.checks.checker import find_named_cut
from service.checks.grounds import Grounds
from service.checks.grounds import Span
from service.checks.verdict import Checker
from service.text.article import prepare
from tests.conftest import SEED

ARTICLE = (
    "Maria Lopez is 17 and in her final year of school.\n\n"
    "Mayor Jane Ortiz did not attend the meeting on Monday.\n\n"
    "The council approved a budget of $3 million for the bridge, according to court documents.\n\n"
    "Fellow students told police there was a girl in her final year of school who was 17 "
    "and that Maria Lopez had left, officials said."
)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _one(checker: Checker, claim: str, source: int | None) -> tuple[Grounds, object]:
    article = prepare(ARTICLE)
    grounds = Grounds(article)
    verdict = checker.check(article, [claim], grounds=grounds, sources=[source])
    return grounds, verdict.sentences[0]


def test_a_copied_sentence_is_evidenced_by_itself(checker: Checker) -> None:
    claim = "Maria Lopez is 17 and in her final year of school"
    grounds, check = _one(checker, claim, 0)
    assert check.supported and not check.issues
    assert [span.index for span in check.evidence] == [0]
    assert "sequences" not in vars(grounds)  # the article's word index was never built


@pytest.mark.parametrize(
    ("claim", "kind"),
    [
        ("Mayor Jane Ortiz did attend the meeting on Monday", "negation"),
        ("The council approved a budget of $3 for the bridge", "number"),
        ("The council approved a budget of $3 million for the bridge", "attribution"),
    ],
)
def test_a_cut_that_changes_the_fact_is_still_flagged(
    checker: Checker, claim: str, kind: str
) -> None:
    source = 1 if "Ortiz" in claim else 2
    _, check = _one(checker, claim, source)
    assert kind in {issue.kind for issue in check.issues}


def test_a_bullet_that_is_not_a_cut_is_checked_against_the_whole_article(
    checker: Checker,
) -> None:
    claim = "Court documents say the council approved a $3 million budget for the bridge"
    grounds, check = _one(checker, claim, 2)
    whole = find(grounds, claim)
    assert (check.evidence, check.issues) == (whole.evidence, whole.issues)


def test_a_wrong_source_falls_back_to_the_whole_article(checker: Checker) -> None:
    claim = "Mayor Jane Ortiz did not attend the meeting on Monday"
    grounds, check = _one(checker, claim, 0)  # not a cut of sentence 0
    assert [span.index for span in check.evidence] == [1] and check.supported


def test_every_seed_bullet_is_verified_against_its_source(checker: Checker) -> None:
    article = prepare(SEED.read_text())
    box = BulletExtractor().box(article)
    grounds = Grounds(article)
    verdict = checker.check(
        article, [b.text for b in box], grounds=grounds, sources=[b.source for b in box]
    )
    for bullet, check in zip(box, verdict.sentences, strict=True):
        assert bullet.source is not None
        assert check.supported
        span = grounds.source_span(bullet.source)
        assert span is not None and check.evidence[0] == span


@pytest.mark.parametrize(
    "sentence",
    [
        "Maria Lopez is 17 and in her final year of school.",
        "Mayor Jane Ortiz did not attend the meeting on Monday.",
        "The council approved a budget of $3 million for the bridge, according to court documents.",
        "The bridge cost twenty-five million dollars, 12% more than planned, police said.",
        'The mayor called the plan "a bridge to nowhere" on Sept. 3, 2024.',
        "Prices rose, but nobody was hurt when the crane fell at 5 a.m.",
        "A study found that 1 in 4 schools had no heating.",
    ],
)
def test_a_copy_is_grounded_as_its_own_cut(sentence: str) -> None:
    span = Span(3, 10, 10 + len(sentence), sentence)
    for bullet in (sentence, sentence.rstrip(".")):
        assert copied(span, bullet) == cut_of(span, bullet)


NAMED = (
    "Police named the driver as Henry Gevorgyan, 21, of Glendale.\n\n"
    "Gevorgyan was driving a gray Ford Mustang on Sunday night."
)


def test_a_cut_given_its_first_name_is_evidenced_by_the_sentence_that_names_them(
    checker: Checker,
) -> None:
    article = prepare(NAMED)
    grounds = Grounds(article)
    claim = "Henry Gevorgyan was driving a gray Ford Mustang on Sunday night"
    (check,) = checker.check(article, [claim], grounds=grounds, sources=[1]).sentences
    assert check.supported and not check.issues
    assert [span.index for span in check.evidence] == [1, 0]
    assert find_named_cut(grounds, grounds.spans[1], claim) is not None


@pytest.mark.parametrize(
    "claim",
    [
        "Harry Gevorgyan was driving a gray Ford Mustang on Sunday night",  # not the article's name
        "Henry Gevorgyan was driving a red Ford Mustang on Sunday night",  # not a cut
        "henry Gevorgyan was driving a gray Ford Mustang on Sunday night",
    ],
)
def test_only_the_articles_own_first_name_before_a_cut_takes_the_short_way(claim: str) -> None:
    grounds = Grounds(prepare(NAMED))
    assert find_named_cut(grounds, grounds.spans[1], claim) is None
