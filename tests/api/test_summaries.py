from flask.testing import FlaskClient

from tests.conftest import FakeSummarizer

PROBLEM = "application/problem+json"


def test_summaries_returns_summary_and_bullets(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/summaries", json={"text": seed_text, "title": "Land mines"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["summary"]
    assert 3 <= len(body["bullets"]) <= 5
    assert body["engine"] == "fake"
    assert body["input_chars"] == len(seed_text)
    assert body["truncated"] is False
    assert set(body) >= {"model", "language", "elapsed_ms", "request_id", "chunks"}


def test_summaries_accepts_html(client: FlaskClient) -> None:
    html = "<article><p>The council approved the budget on Monday night.</p><script>x()</script></article>"
    body = client.post("/v1/summaries", json={"html": html}).get_json()
    assert "council approved" in body["summary"]
    assert "x()" not in body["summary"]


def test_summaries_engine_option_selects_engine(client: FlaskClient, seed_text: str) -> None:
    body = client.post(
        "/v1/summaries", json={"text": seed_text, "options": {"engine": "lead"}}
    ).get_json()
    assert body["engine"] == "lead"


def test_summaries_respects_max_words(client: FlaskClient, seed_text: str) -> None:
    options = {"engine": "lead", "max_summary_words": 30}
    body = client.post("/v1/summaries", json={"text": seed_text, "options": options}).get_json()
    assert len(body["summary"].split()) <= 60  # lead keeps whole sentences, at least one


def test_summaries_echoes_caller_id(client: FlaskClient) -> None:
    body = client.post(
        "/v1/summaries", json={"text": "A short story here.", "id": "cms-42"}
    ).get_json()
    assert body["id"] == "cms-42"


def test_summaries_rejects_empty_document(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json={"text": ""})
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert "text" in response.get_json()["errors"]


def test_summaries_rejects_text_that_cleans_to_nothing(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json={"html": "<script>only code</script>"})
    assert response.status_code == 422
    assert response.get_json()["type"].endswith("/invalid-input")


def test_summaries_rejects_both_text_and_html(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json={"text": "a b c", "html": "<p>a</p>"})
    assert response.status_code == 422


def test_summaries_rejects_unknown_fields(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json={"text": "Some text here.", "colour": "red"})
    assert response.status_code == 422
    assert "colour" in response.get_json()["errors"]


def test_summaries_rejects_unknown_engine(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json={"text": "Text.", "options": {"engine": "gpt"}})
    assert response.status_code == 422
    assert "options" in response.get_json()["errors"]


def test_summaries_rejects_min_above_max(client: FlaskClient) -> None:
    options = {"min_summary_words": 90, "max_summary_words": 20}
    response = client.post("/v1/summaries", json={"text": "Text here.", "options": options})
    assert response.status_code == 422


def test_summaries_input_over_char_limit_is_413(client: FlaskClient, app: object) -> None:
    limit = client.application.extensions["newsbrief"].settings.max_input_chars
    response = client.post("/v1/summaries", json={"text": "word " * (limit // 5 + 10)})
    assert response.status_code == 413
    assert response.content_type == PROBLEM


def test_summaries_engine_not_ready_is_503(client: FlaskClient, fake: FakeSummarizer) -> None:
    fake._ready = False
    response = client.post("/v1/summaries", json={"text": "Some text here."})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.content_type == PROBLEM


def test_bullets_endpoint_returns_box_without_engine(
    client: FlaskClient, seed_text: str, fake: FakeSummarizer
) -> None:
    response = client.post("/v1/bullets", json={"text": seed_text, "options": {"bullets": 4}})
    assert response.status_code == 200
    assert len(response.get_json()["bullets"]) == 4
    assert fake.batches == []


def test_bullets_endpoint_rejects_count_out_of_range(client: FlaskClient, seed_text: str) -> None:
    response = client.post("/v1/bullets", json={"text": seed_text, "options": {"bullets": 9}})
    assert response.status_code == 422


def test_engines_lists_default_and_readiness(client: FlaskClient) -> None:
    body = client.get("/v1/engines").get_json()
    assert body["default"] == "fake"
    names = {e["name"]: e for e in body["engines"]}
    assert names["fake"]["ready"] is True and names["fake"]["default"] is True
    assert names["lead"]["model"] == "rules"
