"""``previous`` on /v1/bullets, /v1/summaries and batch items (developing stories)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

STORY = (
    "A fire at a chemical plant in northern Texas killed 12 workers on Monday, officials said.\n\n"
    "The blaze broke out shortly after 6 a.m. in a storage building at the Delmar Chemicals site.\n\n"
    "Fire chief Laura Benson said crews fought the flames for nine hours before bringing them "
    "under control.\n\n"
    "The company said it was cooperating fully with state and federal investigators.\n\n"
    "Residents within two miles of the plant were told to stay indoors until Tuesday morning."
)
UPDATED = STORY.replace("killed 12", "killed 15")


def _bullets(client: FlaskClient, body: dict[str, Any]) -> Any:
    return client.post("/v1/bullets", json=body)


def test_without_previous_the_answer_has_no_revision(client: FlaskClient) -> None:
    answer = _bullets(client, {"text": STORY}).get_json()
    assert "revision" not in answer


def test_previous_box_is_revised_and_pinned_bullets_are_checked(client: FlaskClient) -> None:
    box = _bullets(client, {"text": STORY}).get_json()["bullets"]
    lead = next(i for i, b in enumerate(box) if "12" in b)
    others = [i for i in range(len(box)) if i != lead]
    answer = _bullets(client, {
        "text": UPDATED, "previous": {"bullets": box, "pinned": [lead], "text": STORY},
    }).get_json()  # fmt: skip
    revision = answer["revision"]
    assert answer["bullets"] == [b["text"] for b in revision["bullets"]]
    assert revision["bullets"][lead]["status"] == "pinned"
    assert revision["bullets"][lead]["flagged"] is True
    assert answer["bullets"][lead] == box[lead]
    for index in others:
        assert revision["bullets"][index] == {
            "text": box[index],
            "status": "kept",
            "previous": index,
        }
    (corrected,) = revision["changes"]["corrected_facts"]
    assert corrected["from"] == ["12"] and corrected["to"] == ["15"]
    assert answer["checks"]["bullets"]["sentences"][lead]["supported"] is False


def test_summaries_and_batch_items_take_previous(client: FlaskClient) -> None:
    box = _bullets(client, {"text": STORY}).get_json()["bullets"]
    body = {"text": UPDATED, "previous": {"bullets": box}}
    single = client.post("/v1/summaries", json=body)
    assert single.status_code == 200
    statuses = {b["status"] for b in single.get_json()["revision"]["bullets"]}
    assert "updated" in statuses
    batch = client.post("/v1/summaries:batch", json={"documents": [body, {"text": STORY}]})
    results = batch.get_json()["results"]
    assert "revision" in results[0]["result"] and "revision" not in results[1]["result"]


@pytest.mark.parametrize(
    ("previous", "field"),
    [
        ({}, "bullets"),
        ({"bullets": []}, "bullets"),
        ({"bullets": "one bullet"}, "bullets"),
        ({"bullets": [""]}, "bullets"),
        ({"bullets": ["x" * 1001]}, "bullets"),
        ({"bullets": ["a"] * 11}, "bullets"),
        ({"bullets": ["a", "b"], "pinned": [2]}, "pinned"),
        ({"bullets": ["a", "b"], "pinned": [0, 0]}, "pinned"),
        ({"bullets": ["a"], "pinned": [True]}, "pinned"),
        ({"bullets": ["a"], "pinned": ["0"]}, "pinned"),
        ({"bullets": ["a"], "text": "x", "html": "<p>x</p>"}, "text"),
        ({"bullets": ["a"], "text": ""}, "text"),
        ({"bullets": ["a"], "colour": "red"}, "colour"),
        ("the old box", "_schema"),
    ],
)
def test_a_bad_previous_is_a_clear_422(client: FlaskClient, previous: Any, field: str) -> None:
    answer = _bullets(client, {"text": STORY, "previous": previous})
    assert answer.status_code == 422
    assert answer.content_type.startswith("application/problem+json")
    assert field in answer.get_json()["errors"]["previous"]


def test_nulls_in_previous_read_as_absent(client: FlaskClient) -> None:
    previous = {"bullets": ["A fire killed 12"], "pinned": None, "text": None, "html": None}
    answer = _bullets(client, {"text": STORY, "previous": previous})
    assert answer.status_code == 200 and "changes" not in answer.get_json()["revision"]


def test_a_previous_text_with_nothing_to_read_names_previous(client: FlaskClient) -> None:
    answer = _bullets(client, {"text": STORY, "previous": {"bullets": ["a"], "html": "<p> </p>"}})
    assert answer.status_code == 422
    assert "previous.html" in answer.get_json()["errors"]


def test_a_bad_previous_version_fails_its_batch_item_alone(client: FlaskClient) -> None:
    bad = {"text": UPDATED, "previous": {"bullets": ["a"], "html": "<p> </p>"}}
    answer = client.post("/v1/summaries:batch", json={"documents": [bad, {"text": STORY}]})
    first, second = answer.get_json()["results"]
    assert answer.status_code == 200 and not first["ok"] and second["ok"]
    assert "previous.html" in first["error"]["errors"]


def test_previous_is_part_of_the_cache_key(client: FlaskClient) -> None:
    first = _bullets(client, {"text": UPDATED, "previous": {"bullets": ["A fire killed 12"]}})
    second = _bullets(
        client, {"text": UPDATED, "previous": {"bullets": ["Crews fought nine hours"]}}
    )
    assert first.get_json()["revision"] != second.get_json()["revision"]
