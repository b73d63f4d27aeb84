"""Profiles served by name: options.profile, the key's and server's defaults, GET /v1/profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.access.keys import new_key
from service.engines import EngineRegistry
from service.settings import Settings
from tests.conftest import FakeSummarizer

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_8dc29571600dcd6e.txt"
BUILTIN = Path(__file__).resolve().parents[2] / "service" / "profiles" / "builtin"
CMS_KEY, CMS_ENTRY = new_key("cms")
WIRE_KEY, WIRE_ENTRY = new_key("wire")


def make_client(**values: object) -> FlaskClient:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    app = create_app(Settings(load_on_start=False, **values), engines=registry)  # type: ignore[arg-type]
    registry.load_all()
    return app.test_client()


@pytest.fixture
def client() -> FlaskClient:
    return make_client()


def body(profile: str | None = None) -> dict[str, object]:
    options = {} if profile is None else {"options": {"profile": profile}}
    return {"text": SEED.read_text(), **options}


@pytest.mark.parametrize("path", ["/v1/bullets", "/v1/summaries"])
def test_every_answer_names_its_profile_and_the_profile_shapes_the_box(
    client: FlaskClient, path: str
) -> None:
    default = client.post(path, json=body()).get_json()
    cnn = client.post(path, json=body("cnn")).get_json()
    bbc = client.post(path, json=body("bbc")).get_json()
    assert default["profile"]["name"] == "general" and default["profile"]["version"]
    assert cnn["profile"]["name"] == "cnn" and bbc["profile"]["name"] == "bbc"
    assert len(cnn["bullets"]) < len(bbc["bullets"])  # the cache did not hand one the other's


def test_an_unknown_profile_is_422_listing_those_there_are(client: FlaskClient) -> None:
    for path in ("/v1/bullets", "/v1/summaries"):
        response = client.post(path, json=body("house"))
        problem = response.get_json()
        assert response.status_code == 422 and problem["type"].endswith("unknown-profile")
        assert problem["available"] == ["bbc", "cnn", "general"] and "house" in problem["detail"]
    bad = client.post("/v1/bullets", json=body("Not A Name"))
    assert bad.status_code == 422 and "profile" in str(bad.get_json()["errors"])


def test_batch_items_take_the_shared_profile_or_their_own(client: FlaskClient) -> None:
    text = SEED.read_text()
    answer = client.post(
        "/v1/summaries:batch",
        json={"options": {"profile": "cnn"},
              "documents": [{"text": text, "id": "a"},
                            {"text": text, "id": "b", "options": {"profile": "bbc"}}]},
    ).get_json()  # fmt: skip
    names = [item["result"]["profile"]["name"] for item in answer["results"]]
    assert names == ["cnn", "bbc"]


def test_server_and_key_defaults_apply_when_the_request_names_none() -> None:
    client = make_client(
        api_keys=f"{CMS_ENTRY},{WIRE_ENTRY}", profile="cnn", key_profiles="wire:bbc"
    )
    cms = client.post("/v1/bullets", json=body(), headers={"X-API-Key": CMS_KEY}).get_json()
    wire = client.post("/v1/bullets", json=body(), headers={"X-API-Key": WIRE_KEY}).get_json()
    asked = client.post("/v1/bullets", json=body("general"), headers={"X-API-Key": WIRE_KEY})
    assert cms["profile"]["name"] == "cnn" and wire["profile"]["name"] == "bbc"
    assert asked.get_json()["profile"]["name"] == "general"
    listed = client.get("/v1/profiles", headers={"X-API-Key": WIRE_KEY}).get_json()
    assert listed["default"] == "bbc"


def test_profiles_are_listed_with_their_rules_data_and_reports(client: FlaskClient) -> None:
    listed = client.get("/v1/profiles").get_json()
    assert listed["default"] == "general"
    by_name = {p["name"]: p for p in listed["profiles"]}
    assert set(by_name) == {"bbc", "cnn", "general"}
    for profile in by_name.values():
        assert profile["count"]["rule"] in ("length", "threshold")
        assert profile["fitted_on"]["stories"] >= 50
        assert {row["name"] for row in profile["report"]["rows"]} >= {"this profile", "lead-3"}


def test_an_unknown_profile_fails_only_its_batch_items(client: FlaskClient) -> None:
    text = SEED.read_text()
    answer = client.post(
        "/v1/summaries:batch",
        json={"documents": [{"text": text, "id": "a"},
                            {"text": text, "id": "b", "options": {"profile": "house"}}]},
    ).get_json()  # fmt: skip
    first, second = answer["results"]
    assert first["ok"] and first["result"]["profile"]["name"] == "general"
    assert not second["ok"] and second["error"]["type"].endswith("unknown-profile")


def test_a_summary_is_its_profiles_length_unless_the_request_sets_one(tmp_path: Path) -> None:
    """Newsrooms differ most in summary length: a profile's fitted length is the default."""
    shipped = json.loads((BUILTIN / "cnn.json").read_text())
    for name, words in (("brief", 30), ("long", 150)):
        profile = {**shipped, "name": name, "summary": {**shipped["summary"], "words": words}}
        (tmp_path / f"{name}.json").write_text(json.dumps(profile), encoding="utf-8")
    client = make_client(profiles_dir=str(tmp_path))

    def words(**options: object) -> int:
        answer = client.post(
            "/v1/summaries",
            json={"text": SEED.read_text(), "options": {"checks": False, **options}},
        )
        assert answer.status_code == 200, answer.get_json()
        return len(answer.get_json()["summary"].split())

    assert words(profile="brief") == 30 and words(profile="long") == 150
    assert words(profile="long", max_summary_words=40) == 40
    assert words(profile="brief", min_summary_words=60) == 60  # the least raises the length
    bad = client.post("/v1/summaries", json={**body(), "options": {"max_summary_words": 9}})
    assert bad.status_code == 422
