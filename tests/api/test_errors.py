import pytest
from flask import Flask
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.content_type == PROBLEM  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{bad json", "application/json", 400),
        ("[" * 50_000, "application/json", 400),
        ("text=hello", "application/x-www-form-urlencoded", 415),
        ("plain words", "text/plain", 415),
        ('{"text": 5}', "application/json", 422),
        ('["a list"]', "application/json", 422),
        ("null", "application/json", 422),
    ],
)
def test_bad_bodies_answer_problem_json(
    client: FlaskClient, data: str, content_type: str, status: int
) -> None:
    response = client.post("/v1/summaries", data=data, content_type=content_type)
    assert_problem(response, status)


def test_body_over_limit_is_413(client: FlaskClient) -> None:
    body = '{"text": "' + "x" * (2 * 1024 * 1024) + '"}'
    assert_problem(client.post("/v1/summaries", data=body, content_type="application/json"), 413)


def test_unknown_route_is_404(client: FlaskClient) -> None:
    assert_problem(client.get("/v1/nothing"), 404)


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.get("/v1/summaries")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_unexpected_error_is_500_without_internals(app: Flask, client: FlaskClient) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret /etc/path detail")

    app.extensions["newsbrief"].engines.engines["fake"].summarize = explode  # type: ignore[method-assign]
    response = client.post("/v1/summaries", json={"text": "Some text here."})
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["request_id"]


def test_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/livez", headers={"X-Request-Id": "cms-abc.123"})
    assert response.headers["X-Request-Id"] == "cms-abc.123"


def test_request_id_is_generated_when_absent_or_unsafe(client: FlaskClient) -> None:
    generated = client.get("/livez").headers["X-Request-Id"]
    assert len(generated) == 32
    unsafe = client.get("/livez", headers={"X-Request-Id": "bad id\twith spaces"})
    assert unsafe.headers["X-Request-Id"] != "bad id\twith spaces"


def test_problem_carries_request_id(client: FlaskClient) -> None:
    response = client.post("/v1/summaries", json={"text": ""}, headers={"X-Request-Id": "r-1"})
    assert response.get_json()["request_id"] == "r-1"


@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/bullets"])
def test_lone_surrogates_and_controls_are_cleaned_not_500(client: FlaskClient, path: str) -> None:
    body = '{"text": "\\ud800 The council met on Monday.\\u0000 It approved the budget."}'
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/v1/summaries", "/v1/bullets"])
def test_null_title_id_and_options_read_as_absent(client: FlaskClient, path: str) -> None:
    body = {"text": "The council met on Monday.", "title": None, "id": None, "options": None}
    assert client.post(path, json=body).status_code == 200
