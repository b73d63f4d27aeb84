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
