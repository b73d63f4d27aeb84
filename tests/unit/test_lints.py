"""The editorial lints (``service/profiles/lints.py``) that bench/editorial.py and the fit report."""

from __future__ import annotations

import pytest

from service.profiles.lints import lint
from service.profiles.lints import sources_of

ARTICLE = (
    "Police are hunting two thieves who stole an iPad from a canoe rental office in Florida. "
    "The pair were caught on security cameras taking the tablet from the front desk. "
    "Officers said the men escaped by kayak down the Wekiva River. "
    "Two thieves stole an iPad from a canoe rental office and escaped in a kayak. "
    "Deputies think they rowed toward Wekiva Springs State Park."
)


DOUGLAS = (
    "Michael Douglas says his son Dylan had a run-in with anti-Semitism in Europe. "
    "The actor described the incident last summer in an opinion column. "
    "The older of his two children, 14-year-old Dylan, came to his father in tears. "
    "Mr Douglas went to talk to the man at the pool."
)
ZOO = (
    "The zoo's polar bear rejected her cub in November, keepers said. "
    "Since then, the cub has thrived in the care of humans. "
    "Visitors will be able to see the cub from March. "
    "At the time of the birth, keepers feared for both animals."
)


@pytest.mark.parametrize(("article", "before", "elsewhere", "leaning"), [
    (  # a group named by its size
        ARTICLE,
        "Police are hunting two thieves who stole an iPad from a canoe rental office in Florida",
        "Officers said the men escaped by kayak down the Wekiva River",
        "The pair were caught on security cameras taking the tablet from the front desk",
    ),
    (  # a comparative
        DOUGLAS,
        "The actor described the incident last summer in an opinion column",
        "Michael Douglas says his son Dylan had a run-in with anti-Semitism",
        "The older of his two children, 14-year-old Dylan, came to his father in tears",
    ),
    (  # a time told before
        ZOO,
        "The zoo's polar bear rejected her cub in November, keepers said",
        "Visitors will be able to see the cub from March",
        "Since then, the cub has thrived in the care of humans",
    ),
])  # fmt: skip
def test_a_back_reference_needs_the_sentence_before_it(
    article: str, before: str, elsewhere: str, leaning: str
) -> None:
    assert lint(article, [before, leaning])["dangling"] == []
    assert lint(article, [elsewhere, leaning])["dangling"] == [leaning]


def test_a_title_needs_the_name_and_a_time_of_its_own_needs_nothing() -> None:
    titled = lint(DOUGLAS, ["Mr Douglas went to talk to the man at the pool"])
    assert titled["dangling"] == ["Mr Douglas went to talk to the man at the pool"]
    own = "At the time of the birth, keepers feared for both animals"
    assert lint(ZOO, ["Visitors will be able to see the cub from March", own])["dangling"] == []


def test_a_repeated_sentence_maps_to_every_copy() -> None:
    sentences = [
        "A calf was seen near Trevose Head (pictured) while he walked along the cliff.",
        "Several people have seen the whales.",
        "Dom Clarke saw what he believes was the calf near Trevose Head while walking on the cliff.",
        "He said he saw them heading south towards Newquay.",
    ]
    bullet = (
        "Dom Clarke saw what he believes was the calf near Trevose Head while walking on the cliff"
    )
    assert sources_of(bullet, sentences) == [2]
    twice = ["Graydon called for more jets.", "Shares fell.", "Graydon called for more jets."]
    assert sources_of("Graydon called for more jets", twice) == [0, 2]


def test_a_shared_name_alone_is_not_a_duplicate() -> None:
    article = (
        "Tunisians had just launched the Arab Spring when the envoy arrived. "
        "The Tunisians are doing what they can, he said. "
        "The council approved the flood barrier on Monday after months of debate. "
        "The council approved the barrier on Monday."
    )
    found = lint(article, [
        "Tunisians had just launched the Arab Spring",
        "The Tunisians are doing what they can, he said",
        "The council approved the flood barrier on Monday after months of debate",
        "The council approved the barrier on Monday",
    ])  # fmt: skip
    assert found["duplicates"] == ["The council approved the barrier on Monday"]
