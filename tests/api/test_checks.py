"""POST /v1/checks, and the checks every summary and box carries."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.engines import EngineRegistry
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.engines.lead import LeadSummarizer
from service.settings import Settings
from service.text.article import Article
from tests.unit.test_checks import ARTICLE

PROBLEM = "application/problem+json"
INVENTED = "Mayor Jane Ortiz resigned on Friday after 14 years in office."


class InventingSummarizer(Summarizer):
    """An 'abstractive' engine that adds a claim the article never makes."""

    name = "abstractive"

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        return [Summary(a.sentences[0].text + " " + INVENTED) for a in articles]


class ExtractiveStandIn(LeadSummarizer):
    """The extractive engine's place in the registry (lead sentences, no model)."""

    name = "extractive"


def _client(policy: str = "flag") -> FlaskClient:
    settings = Settings.from_mapping({"load_on_start": "false", "unsupported": policy})
    registry = EngineRegistry(
        {"abstractive": InventingSummarizer(), "extractive": ExtractiveStandIn()},
        default="abstractive",
    )
    for engine in registry.engines.values():
        engine.load()
    return create_app(settings, engines=registry).test_client()


def test_checks_answers_per_sentence_with_evidence_and_issues(client: FlaskClient) -> None:
    summary = ["Mayor Jane Ortiz did not attend the meeting", "The vote was 9 to 2"]
    response = client.post("/v1/checks", json={"text": ARTICLE, "summary": summary})
    assert response.status_code == 200
    body = response.get_json()
    assert [s["sentence"] for s in body["sentences"]] == summary
    good, bad = body["sentences"]
    assert good["supported"] and not bad["supported"]
    assert body["supported"] is False
    assert bad["score"] <= body["score"] <= good["score"]
    assert {"type": "number", "start": 13, "end": 14, "text": "9"} in bad["issues"]
    text = body["article"]["text"]
    for evidence in good["evidence"]:
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]
        span = body["article"]["sentences"][evidence["sentence"]]
        assert (span["start"], span["end"]) == (evidence["start"], evidence["end"])
    assert body["checker"].startswith("1+factuality.")
    assert set(body) >= {"language", "input_chars", "elapsed_ms", "request_id", "alignment"}


def test_checks_splits_a_string_summary_into_sentences(client: FlaskClient) -> None:
    summary = "The vote was 7 to 2. Mayor Jane Ortiz did not attend the meeting."
    body = client.post("/v1/checks", json={"text": ARTICLE, "summary": summary}).get_json()
    assert len(body["sentences"]) == 2
    assert body["supported"] is True


def test_checks_takes_html_and_a_title_like_summaries(client: FlaskClient) -> None:
    html = "<h1>Bridge budget passes</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n"))
    body = client.post(
        "/v1/checks", json={"html": html, "summary": "The vote was 7 to 2.", "id": "story-9"}
    ).get_json()
    assert body["article"]["title"] == "Bridge budget passes"
    assert body["supported"] is True
    assert body["id"] == "story-9"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ARTICLE}, "summary"),
        ({"text": ARTICLE, "summary": 42}, "summary"),
        ({"text": ARTICLE, "summary": ["ok", 3]}, "summary"),
        ({"text": ARTICLE, "summary": "   "}, "summary"),
        ({"text": ARTICLE, "summary": []}, "summary"),
        ({"text": ARTICLE, "summary": "x" * 20_001}, "summary"),
        ({"summary": "The vote was 7 to 2."}, "text"),
        ({"text": ARTICLE, "summary": "Fine.", "options": {"language": "english"}}, "options"),
        ({"text": ARTICLE, "summary": "Fine.", "extra": 1}, "extra"),
    ],
)
def test_bad_check_requests_are_422_problems_naming_the_field(
    client: FlaskClient, payload: dict[str, object], field: str
) -> None:
    response = client.post("/v1/checks", json=payload)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert field in response.get_json()["errors"]


def test_too_many_summary_sentences_is_a_422_with_the_limit() -> None:
    settings = Settings.from_mapping(
        {"load_on_start": "false", "engine": "lead", "max_check_sentences": "3"}
    )
    registry = EngineRegistry({"lead": LeadSummarizer()}, default="lead")
    client = create_app(settings, engines=registry).test_client()
    response = client.post("/v1/checks", json={"text": ARTICLE, "summary": ["A b c."] * 4})
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert "summary" in response.get_json()["errors"]


def test_check_of_a_too_long_article_is_413(client: FlaskClient) -> None:
    response = client.post("/v1/checks", json={"text": "word " * 60_000, "summary": "A word."})
    assert response.status_code == 413
    assert response.content_type == PROBLEM


def test_checks_needs_a_key_when_keys_are_set() -> None:
    from service.access.keys import new_key

    key, entry = new_key("cms")
    settings = Settings(load_on_start=False, engine="lead", api_keys=entry)
    registry = EngineRegistry({"lead": LeadSummarizer()}, default="lead")
    client = create_app(settings, engines=registry).test_client()
    payload = {"text": ARTICLE, "summary": "The vote was 7 to 2."}
    assert client.post("/v1/checks", json=payload).status_code == 401
    ok = client.post("/v1/checks", json=payload, headers={"X-API-Key": key})
    assert ok.status_code == 200


def test_summaries_and_bullets_carry_checks(client: FlaskClient) -> None:
    body = client.post("/v1/summaries", json={"text": ARTICLE}).get_json()
    assert body["checks"]["summary"]["sentences"]
    assert len(body["checks"]["bullets"]["sentences"]) == len(body["bullets"])
    assert body["unsupported"] == {"policy": "flag", "dropped": [], "fallback_from": None}
    box = client.post("/v1/bullets", json={"text": ARTICLE}).get_json()
    assert [s["sentence"] for s in box["checks"]["bullets"]["sentences"]] == box["bullets"]
    assert box["checks"]["bullets"]["supported"] is True


def test_checks_can_be_turned_off_and_the_article_asked_for(client: FlaskClient) -> None:
    options = {"checks": False, "article": True}
    body = client.post("/v1/summaries", json={"text": ARTICLE, "options": options}).get_json()
    assert "checks" not in body and "unsupported" not in body
    assert body["article"]["text"].startswith("Defense Secretary Lloyd Austin")
    box = client.post("/v1/bullets", json={"text": ARTICLE, "options": options}).get_json()
    assert "checks" not in box and box["article"]["sentences"]


def test_flag_policy_keeps_and_marks_an_invented_sentence() -> None:
    body = _client("flag").post("/v1/summaries", json={"text": ARTICLE}).get_json()
    assert INVENTED in body["summary"]
    invented = [s for s in body["checks"]["summary"]["sentences"] if s["sentence"] == INVENTED]
    assert invented and not invented[0]["supported"]
    assert {i["type"] for i in invented[0]["issues"]} >= {"date", "number"}


def test_drop_policy_removes_the_invented_sentence_and_says_so() -> None:
    body = _client("drop").post("/v1/summaries", json={"text": ARTICLE}).get_json()
    assert INVENTED not in body["summary"]
    assert body["summary"].startswith("Defense Secretary Lloyd Austin")
    assert body["unsupported"]["policy"] == "drop"
    assert [d["sentence"] for d in body["unsupported"]["dropped"]] == [INVENTED]


def test_fallback_policy_swaps_in_the_extractive_summary() -> None:
    body = _client("fallback").post("/v1/summaries", json={"text": ARTICLE}).get_json()
    assert INVENTED not in body["summary"]
    assert body["engine"] == "extractive"
    assert body["unsupported"]["fallback_from"] == "abstractive"
    assert body["checks"]["summary"]["supported"] is True


def test_unsupported_sentences_are_counted_by_engine() -> None:
    client = _client("flag")
    client.post("/v1/summaries", json={"text": ARTICLE})
    metrics = client.get("/metrics").get_data(as_text=True)
    lines = [
        line
        for line in metrics.splitlines()
        if line.startswith("newsbrief_unsupported_sentences_total{")
        and 'engine="abstractive"' in line
    ]
    assert lines and float(lines[0].rsplit(" ", 1)[1]) >= 1


def test_bad_unsupported_setting_is_named_at_start() -> None:
    from service.settings import SettingsError

    with pytest.raises(SettingsError, match="UNSUPPORTED"):
        Settings.from_mapping({"unsupported": "ignore"})
