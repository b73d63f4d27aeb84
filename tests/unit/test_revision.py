"""Developing stories: the box follows its story (service/revision)."""

from __future__ import annotations

import pytest

from service.bullets.extractor import BulletExtractor
from service.checks.checker import SentenceCheck
from service.checks.grounds import Grounds
from service.checks.verdict import Checker
from service.revision.box import Previous
from service.revision.box import Revision
from service.revision.box import revise
from service.revision.box import substitute
from service.revision.changes import what_changed
from service.text.article import Article
from service.text.article import prepare

V1 = (
    "A fire at a chemical plant in northern Texas killed 12 workers on Monday, officials said.\n\n"
    "The blaze broke out shortly after 6 a.m. in a storage building at the Delmar Chemicals site.\n\n"
    "Fire chief Laura Benson said crews fought the flames for nine hours before bringing them "
    "under control.\n\n"
    "The company said it was cooperating fully with state and federal investigators.\n\n"
    "Residents within two miles of the plant were told to stay indoors until Tuesday morning.\n\n"
    "The plant, which employs about 400 people, makes industrial solvents and cleaning agents.\n\n"
    "It was fined in 2019 for failing to report a leak of toxic gas to regulators."
)


def _revise(new: str, bullets: list[str], pinned: tuple[int, ...] = ()) -> Revision:
    article = prepare(new)
    extractor = BulletExtractor()
    checker = Checker()
    grounds = Grounds(article)

    def check(text: str, source: int | None) -> SentenceCheck:
        return checker.check(article, [text], grounds=grounds, sources=[source]).sentences[0]

    fresh = extractor.box(article)
    units = extractor.candidates(article)
    return revise(article, units, fresh, Previous(tuple(bullets), frozenset(pinned)), check)


def _box(text: str) -> list[str]:
    return BulletExtractor().extract(prepare(text))


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: "UPDATE: The state fire marshal arrived at the scene on Tuesday.\n\n" + t,
        lambda t: t.replace("industrial solvents", "industrial sovlents"),
        lambda t: t.replace(
            "\n\nIt was fined in 2019 for failing to report a leak of toxic gas to regulators.", ""
        ),
        lambda t: (
            t + "\n\nA vigil for the victims is planned for Friday evening in the town square."
        ),
    ],
    ids=["update-on-top", "typo-elsewhere", "paragraph-deleted", "paragraph-added"],
)
def test_bullets_whose_sentence_is_untouched_come_back_verbatim_in_place(edit) -> None:  # type: ignore[no-untyped-def]
    box = _box(V1)
    revision = _revise(edit(V1), box)
    for index, bullet in enumerate(box):
        assert revision.bullets[index].text == bullet
        assert revision.bullets[index].status == "kept"
    assert revision.dropped == []


def test_a_changed_count_updates_its_bullet_with_the_new_value() -> None:
    box = _box(V1)
    assert any("12" in b for b in box)
    revision = _revise(V1.replace("killed 12", "killed 15"), box)
    (updated,) = [b for b in revision.bullets if b.status == "updated"]
    assert "15" in updated.text and "12" not in updated.text
    assert ("12", "15") in updated.changes


def test_a_pinned_bullet_is_never_changed_but_flagged_when_contradicted() -> None:
    box = _box(V1)
    lead = next(i for i, b in enumerate(box) if "12" in b)
    revision = _revise(V1.replace("killed 12", "killed 15"), box, pinned=(lead,))
    pinned = revision.bullets[lead]
    assert pinned.status == "pinned" and pinned.text == box[lead]
    assert pinned.check is not None and not pinned.check.supported
    assert pinned.suggestion is not None and "15" in pinned.suggestion


def test_a_pinned_editors_bullet_still_supported_is_not_flagged() -> None:
    mine = "Twelve workers died in a fire at a Texas chemical plant"
    revision = _revise(V1.replace("killed 12", "killed twelve"), [mine, *_box(V1)[1:]], pinned=(0,))
    assert revision.bullets[0].text == mine
    assert revision.bullets[0].check is not None and revision.bullets[0].check.supported


def test_a_bullet_the_story_no_longer_says_is_dropped_with_its_reason() -> None:
    gone = "The plant was fined in 2019 for failing to report a leak of toxic gas"
    revision = _revise(V1.replace("\n\nIt was fined in 2019 for failing to report a leak of toxic "
                                  "gas to regulators.", ""), [gone])  # fmt: skip
    assert {"text": gone, "previous": 0, "reason": "no longer supported"} in revision.dropped
    assert all(b.text != gone for b in revision.bullets)


def test_substitution_changes_only_what_the_sentence_replaced() -> None:
    text, changes = substitute(
        "A fire killed 12 workers on Monday",
        "A fire at a chemical plant in northern Texas killed 15 workers on Monday.",
    ) or ("", [])
    assert text == "A fire killed 15 workers on Monday" and changes == [("12", "15")]
    assert substitute("A fire killed 12 workers", "Nobody was hurt in the blaze.") is None


def test_what_changed_names_new_and_corrected_facts_with_spans() -> None:
    new = V1.replace("killed 12", "killed 15") + (
        "\n\nGovernor Ann Reyes ordered flags flown at half-staff on Wednesday."
    )
    article = prepare(new)
    changes = what_changed(prepare(V1), article, Grounds(article))
    (corrected,) = changes["corrected_facts"]
    assert corrected["from"] == ["12"] and corrected["to"] == ["15"]
    assert article.text[corrected["start"] : corrected["end"]] == corrected["text"]
    assert any("Reyes" in fact["text"] and "name" in fact["kinds"] for fact in changes["new_facts"])


def test_an_unchanged_story_changes_nothing() -> None:
    article: Article = prepare(V1)
    assert what_changed(article, article, Grounds(article)) == {
        "new_facts": [], "corrected_facts": []
    }  # fmt: skip
