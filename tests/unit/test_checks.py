"""The checker: each grounding rule on hand-written article/claim pairs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from service.checks import facts
from service.checks.checker import find
from service.checks.checker import load_model
from service.checks.grounds import Grounds
from service.checks.grounds import locate
from service.checks.verdict import Checker
from service.checks.verdict import summary_sentences
from service.text.article import prepare

# A made-up story: every fact below is checked against it.
ARTICLE = (
    "Defense Secretary Lloyd Austin said Wednesday that the city council approved a budget "
    "of $3 million for the new bridge. The vote was 7 to 2.\n\n"
    "Mayor Jane Ortiz did not attend the meeting, officials said. "
    "Construction will begin in January 2025 and take about 1,000 days.\n\n"
    '"This bridge will connect two neighbourhoods that were cut off for decades," '
    "council member Raj Patel said. Prices for steel rose by 12% last year. "
    "Nobody was injured when a crane fell on Sept. 3."
)


NUMBER_TEXTS = [
    "1,000 people in 2024 and one thousand more, twenty-five of them at 7 a.m. on May 5.",
    "$3 million, 3,000,000 or three million: 12% (12 percent, 12 per cent) of 1999's 98. 7",
    "The film was viewed more than 235, 000 times, in 98. 7 per cent of 2,000 homes. " * 3,
    "one of the few, no numbers here at all",
]


@pytest.fixture(scope="module")
def grounds() -> Grounds:
    return Grounds(prepare(ARTICLE))


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _check(checker: Checker, claim: str) -> tuple[bool, set[str], list[str]]:
    verdict = checker.check(prepare(ARTICLE), [claim])
    (sentence,) = verdict.sentences
    kinds = {issue.kind for issue in sentence.issues}
    return sentence.supported, kinds, [issue.text for issue in sentence.issues]


@pytest.mark.parametrize(
    "claim",
    [
        "The city council approved a budget of $3 million for the new bridge",
        "Lloyd Austin said the council approved a $3 million budget for the bridge",
        "Austin said the city council approved a budget of 3,000,000 dollars for the bridge",
        "Mayor Jane Ortiz did not attend the meeting",
        "Construction will begin in January 2025 and take about one thousand days",
        "Prices for steel rose by 12 percent last year",
        "Nobody was injured when a crane fell on September 3",
        "The council approved the budget on Wednesday",
    ],
)
def test_restatements_of_the_article_are_supported(checker: Checker, claim: str) -> None:
    supported, kinds, texts = _check(checker, claim)
    assert supported, (kinds, texts)
    assert not kinds & {"number", "date", "name", "quote", "negation"}


@pytest.mark.parametrize(
    ("claim", "kind", "span"),
    [
        (
            "The city council approved a budget of $4 million for the new bridge",
            "number",
            "$4 million",
        ),
        ("The vote was 8 to 2", "number", "8"),
        ("Construction will take about 2,000 days", "number", "2,000"),
        ("Construction will begin in March 2025", "date", "March"),
        ("Construction will begin in January 2026", "date", "2026"),
        ("Austin said Thursday that the council approved a budget", "date", "Thursday"),
        ("Defense Secretary Robert Gates said the council approved a budget", "name", "Robert"),
        ("Mayor Jane Ortiz attended the meeting", "negation", "attended"),
        ("Raj Patel did not say the bridge would connect two neighbourhoods", "negation", "not"),
        ("Prices for steel fell by 12% last year", "negation", "fell"),
        (
            'Mayor Jane Ortiz said: "This bridge will connect two neighbourhoods that were cut '
            'off for decades."',
            "quote",
            "This bridge",
        ),
        ('Raj Patel said the bridge "will end the traffic jams forever".', "quote", "traffic"),
    ],
)
def test_each_kind_of_unsupported_claim_is_flagged_at_its_span(
    checker: Checker, claim: str, kind: str, span: str
) -> None:
    supported, kinds, texts = _check(checker, claim)
    assert not supported
    assert kind in kinds, (kinds, texts)
    assert any(span in text for text in texts), texts


def test_numbers_are_normalised_across_forms() -> None:
    def values(text: str) -> set[str]:
        return {f.value for f in facts.numbers(text)}

    assert values("1,000 people") == values("1000 people") == values("one thousand people")
    assert values("$3 million") == values("3,000,000") == values("three million")
    assert values("12%") == values("12 percent") == values("12 per cent")
    assert values("twenty-five") == values("25")
    assert values("one of the") == set()  # "one" alone is rarely a count
    assert [f.kind for f in facts.numbers("in 2024")] == ["date"]


@pytest.mark.parametrize("loose", [False, True])
@pytest.mark.parametrize(
    "text",
    NUMBER_TEXTS,
)
def test_number_values_are_the_values_numbers_finds(text: str, loose: bool) -> None:
    expected = {(f.kind, f.value) for f in facts.numbers(text, loose=loose)}
    assert facts.number_values(text, loose=loose) == expected


@pytest.mark.parametrize(
    "text",
    NUMBER_TEXTS,
)
def test_every_number_value_is_both_readings(text: str) -> None:
    strict, every = facts.every_number_value(text)
    loose = facts.number_values(text, loose=True)
    assert strict == facts.number_values(text)
    assert every == {value for _, value in strict | loose}


def test_detokenised_numbers_in_the_article_still_count(grounds: Grounds) -> None:
    loose = Grounds(prepare("The film was viewed more than 235, 000 times, in 98. 7 per cent."))
    assert "235000" in loose.numbers
    assert "98.7%" in loose.numbers


def test_month_and_weekday_forms_are_one_value() -> None:
    assert {f.value for f in facts.dates("Sept. 3")} == {
        f.value for f in facts.dates("September 3")
    }
    assert "may" not in {f.value for f in facts.dates("He may resign")}
    assert {f.value for f in facts.dates("on Wednesday")} == {"wednesday"}


def test_negations_in_every_spelling() -> None:
    for text in ("did not win", "didn't win", "did n't win", "didn \u2019 t win", "never won"):
        assert facts.negations(text), text
        assert facts.negated_words(text) & {"win", "won"}, text
    assert not facts.negations("the world No. 1 won")
    assert not facts.negations("the No 1 seed won")


def test_quotes_ignore_detokenised_possessives() -> None:
    assert facts.quotes("NBC 's Today show and the club 's fans cheered loudly") == []
    assert facts.quotes("Wales ' qualifier with Belgium this summer was a sell-out Wales '") == []
    assert [q.value for q in facts.quotes("He said `` we will win the cup '' today")] == [
        "we will win the cup"
    ]


def test_evidence_points_into_the_cleaned_article(checker: Checker) -> None:
    article = prepare(ARTICLE)
    verdict = checker.check(article, ["Mayor Jane Ortiz did not attend the meeting"])
    (sentence,) = verdict.sentences
    assert sentence.evidence
    for span in sentence.evidence:
        assert article.text[span.start : span.end] == span.text
    assert "Ortiz" in sentence.evidence[0].text


def test_locate_finds_each_sentence_in_order() -> None:
    article = prepare(ARTICLE)
    spans = locate(article.text, [s.text for s in article.sentences])
    assert [s.index for s in spans] == list(range(len(article.sentences)))
    for span in spans:
        assert article.text[span.start : span.end] == span.text
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_one_unsupported_sentence_makes_the_summary_unsupported(checker: Checker) -> None:
    good = "Mayor Jane Ortiz did not attend the meeting"
    bad = "The vote was 9 to 0"
    article = prepare(ARTICLE)
    verdict = checker.check(article, [good, bad])
    assert not verdict.supported
    weak, strong = verdict.sentences[1].score, verdict.sentences[0].score
    assert weak < verdict.score < strong  # mostly the weakest sentence, never above the best
    assert checker.check(article, [good]).score > verdict.score
    assert checker.check(article, []).score == 1.0


def test_every_verbatim_article_sentence_is_supported(checker: Checker) -> None:
    article = prepare(ARTICLE)
    verdict = checker.check(article, [s.text for s in article.sentences])
    assert all(s.supported for s in verdict.sentences), [
        (s.text, s.issues) for s in verdict.sentences if not s.supported
    ]


def test_summary_sentences_splits_strings_and_keeps_lists() -> None:
    assert summary_sentences("The vote was 7 to 2. Ortiz was absent.") == [
        "The vote was 7 to 2.",
        "Ortiz was absent.",
    ]
    assert summary_sentences(["One bullet. Still one", "  ", "Two"]) == [
        "One bullet. Still one",
        "Two",
    ]


def test_shipped_model_has_every_signal_and_a_threshold_inside_0_1() -> None:
    model = load_model()
    assert 0 < model.threshold < 1
    assert model.hard_penalty >= 0
    assert model.version.startswith("1+factuality.")
    verbatim = (0.0,) * 7
    reworded = (0.5, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5)
    for alignment in ("minilm", "lexical"):
        assert model.score(verbatim, False, alignment) > model.score(reworded, False, alignment)
        assert model.score(verbatim, False, alignment) > model.score(verbatim, True, alignment)


def test_drop_policy_removes_an_unsupported_bullet_and_lists_it() -> None:
    from service.checks.policy import Review

    good = "Mayor Jane Ortiz did not attend the meeting"
    invented = "The bridge will cost $9 million"
    review = Review(Checker(), None, "drop")
    result = review.result(prepare(ARTICLE), {"bullets": [good, invented], "language": "en"})
    assert result["bullets"] == [good]
    assert [d["sentence"] for d in result["unsupported"]["dropped"]] == [invented]
    assert [s["supported"] for s in result["checks"]["bullets"]["sentences"]] == [True, False]
    flagged = Review(Checker(), None, "flag").result(prepare(ARTICLE), {"bullets": [invented]})
    assert flagged["bullets"] == [invented]  # flag keeps it, marked
    assert flagged["checks"]["bullets"]["supported"] is False


@pytest.mark.parametrize(
    "claim",
    [
        "The city council approved a budget of $3 million for the new bridge",
        "This bridge will connect two neighbourhoods that were cut off for decades",
    ],
)
def test_an_attributed_claim_stated_as_fact_is_an_attribution_issue(
    checker: Checker, claim: str
) -> None:
    _, kinds, _ = _check(checker, claim)
    assert "attribution" in kinds


@pytest.mark.parametrize(
    "claim",
    [
        "Lloyd Austin said the council approved a $3 million budget for the bridge",
        "Officials said Mayor Jane Ortiz did not attend the meeting",
        "Raj Patel says the bridge will connect two neighbourhoods cut off for decades",
        "Construction will begin in January 2025 and take about 1,000 days",  # the article's own voice
        "Prices for steel rose by 12% last year",
        "Mayor Jane Ortiz did not attend the meeting",  # a routine ", officials said" after a fact
    ],
)
def test_a_claim_that_keeps_its_source_or_was_never_attributed_has_no_attribution_issue(
    checker: Checker, claim: str
) -> None:
    _, kinds, _ = _check(checker, claim)
    assert "attribution" not in kinds


def test_a_lost_source_lowers_the_support(grounds: Grounds) -> None:
    model = load_model()
    finding = find(grounds, "The city council approved a budget of $3 million for the new bridge")
    assert finding.unattributed
    kept = replace(finding, issues=tuple(i for i in finding.issues if i.kind != "attribution"))
    assert model.judge(finding, None).score < model.judge(kept, None).score


def test_a_verbatim_sentence_is_not_encoded_and_sits_at_distance_zero(checker: Checker) -> None:
    """The encoder sees only sentences that differ from their evidence."""
    article = prepare(ARTICLE)
    seen: list[str] = []

    def encoder(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return np.full((len(texts), 4), 0.5)  # unit vectors, all alike

    copy = article.sentences[1].text.rstrip(".")
    restated = "The council approved a budget of $3 million for the bridge"
    verdict = checker.check(article, [copy, restated], encoder=encoder, sources=[1, None])
    assert copy not in seen and restated in seen
    assert verdict.sentences[0].supported
