from flask.testing import FlaskClient

from tests.conftest import FakeSummarizer


def test_batch_results_in_input_order_with_per_item_errors(
    client: FlaskClient, fake: FakeSummarizer
) -> None:
    documents = [
        {"text": "Alpha story about the harbour.", "id": "a"},
        {"text": ""},
        {"html": "<p>Gamma story about the bridge.</p>", "id": "c"},
        {"text": "x", "bogus": True},
        "not an object",
    ]
    response = client.post("/v1/summaries:batch", json={"documents": documents})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["ok"] for r in results] == [True, False, True, False, False]
    assert "Alpha" in results[0]["result"]["summary"] and results[0]["result"]["id"] == "a"
    assert "Gamma" in results[2]["result"]["summary"]
    assert results[1]["error"]["status"] == 422 and "text" in results[1]["error"]["errors"]
    assert fake.batches == [2]  # valid documents went to the engine as one batch


def test_batch_over_limit_is_422(client: FlaskClient) -> None:
    limit = client.application.extensions["newsbrief"].settings.max_batch
    documents = [{"text": "Short story."}] * (limit + 1)
    response = client.post("/v1/summaries:batch", json={"documents": documents})
    assert response.status_code == 422
    assert "documents" in response.get_json()["errors"]


def test_batch_requires_documents(client: FlaskClient) -> None:
    assert client.post("/v1/summaries:batch", json={"documents": []}).status_code == 422
    assert client.post("/v1/summaries:batch", json={}).status_code == 422


def test_batch_document_options_override_the_batch_options(
    client: FlaskClient, fake: FakeSummarizer
) -> None:
    documents = [
        {"text": "Alpha story about the harbour and the ships in it today."},
        {
            "text": "Beta story about the bridge and its long repairs.",
            "options": {"max_summary_words": 50},
        },
        {
            "text": "Gamma story about the council and its new budget.",
            "options": {"max_summary_words": 20},
        },
    ]
    response = client.post(
        "/v1/summaries:batch", json={"documents": documents, "options": {"max_summary_words": 50}}
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["ok"] for r in results] == [True, True, True]
    assert sorted(fake.batches) == [1, 2]  # 50 words (alpha, beta) and 20 words (gamma)


def test_batch_and_single_validation_problems_have_the_same_type(client: FlaskClient) -> None:
    single = client.post("/v1/summaries", json={"text": "x", "bogus": True}).get_json()
    batch = client.post(
        "/v1/summaries:batch", json={"documents": [{"text": "x", "bogus": True}]}
    ).get_json()["results"][0]["error"]
    assert batch["type"] == single["type"] and batch["status"] == single["status"] == 422
    assert "bogus" in batch["errors"] and "bogus" in single["errors"]


def test_a_group_whose_engine_cannot_run_fails_alone() -> None:
    from service import create_app
    from service.engines import EngineRegistry
    from service.engines.lead import LeadSummarizer
    from service.settings import Settings

    broken = FakeSummarizer(fail_load="weights corrupt")
    registry = EngineRegistry({"lead": LeadSummarizer(), "abstractive": broken}, default="lead")
    registry.load_all()
    app = create_app(Settings.from_mapping({"load_on_start": "false"}), engines=registry)
    documents = [
        {"text": "Alpha story about the harbour."},
        {"text": "Beta story about the bridge.", "options": {"engine": "abstractive"}},
        {"text": "Gamma story about the school."},
    ]
    response = app.test_client().post("/v1/summaries:batch", json={"documents": documents})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["error"]["status"] == 503
