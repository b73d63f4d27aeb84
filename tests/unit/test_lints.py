"""The editorial lints (``service/profiles/lints.py``) that bench/editorial.py and the fit report."""

from __future__ import annotations

from service.profiles.lints import lint
from service.profiles.lints import sources_of

ARTICLE = (
    "Police are hunting two thieves who stole an iPad from a canoe rental office in Florida. "
    "The pair were caught on security cameras taking the tablet from the front desk. "
    "Officers said the men escaped by kayak down the Wekiva River. "
    "Two thieves stole an iPad from a canoe rental office and escaped in a kayak. "
    "Deputies think they rowed toward Wekiva Springs State Park."
)


def test_a_group_named_by_its_size_needs_the_sentence_before_it() -> None:
    kept = lint(ARTICLE, [
        "Police are hunting two thieves who stole an iPad from a canoe rental office in Florida",
        "The pair were caught on security cameras taking the tablet from the front desk",
    ])  # fmt: skip
    assert kept["dangling"] == []
    alone = lint(ARTICLE, [
        "Officers said the men escaped by kayak down the Wekiva River",
        "The pair were caught on security cameras taking the tablet from the front desk",
    ])  # fmt: skip
    assert alone["dangling"] == [
        "The pair were caught on security cameras taking the tablet from the front desk"
    ]


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


def test_a_comparative_back_reference_needs_the_sentence_before_it() -> None:
    article = (
        "Michael Douglas says his son Dylan had a run-in with anti-Semitism in Europe. "
        "The actor described the incident last summer in an opinion column. "
        "The older of his two children, 14-year-old Dylan, came to his father in tears. "
        "Mr Douglas went to talk to the man at the pool."
    )
    older = "The older of his two children, 14-year-old Dylan, came to his father in tears"
    after = lint(
        article, ["The actor described the incident last summer in an opinion column", older]
    )
    assert after["dangling"] == []
    alone = lint(
        article, ["Michael Douglas says his son Dylan had a run-in with anti-Semitism", older]
    )
    assert alone["dangling"] == [older]
    titled = lint(article, ["Mr Douglas went to talk to the man at the pool"])
    assert titled["dangling"] == ["Mr Douglas went to talk to the man at the pool"]


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


def test_a_time_told_before_needs_the_sentence_before_it() -> None:
    article = (
        "The zoo's polar bear rejected her cub in November, keepers said. "
        "Since then, the cub has thrived in the care of humans. "
        "Visitors will be able to see the cub from March. "
        "At the time of the birth, keepers feared for both animals."
    )
    since = "Since then, the cub has thrived in the care of humans"
    after = lint(
        article, ["The zoo's polar bear rejected her cub in November, keepers said", since]
    )
    assert after["dangling"] == []
    alone = lint(article, ["Visitors will be able to see the cub from March", since])
    assert alone["dangling"] == [since]
    own = "At the time of the birth, keepers feared for both animals"
    assert lint(article, ["Visitors will be able to see the cub from March", own])["dangling"] == []
