"""The playground page and its assets are served by the app."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_playground_page_and_assets_are_served(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/playground/app.js").status_code == 200
    assert client.get("/playground/style.css").status_code == 200
    assert client.get("/playground/secrets.txt").status_code == 404


def test_playground_never_uses_innerhtml(client: FlaskClient) -> None:
    script = client.get("/playground/app.js").get_data(as_text=True)
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_playground_sample_is_the_seed(client: FlaskClient, seed_text: str) -> None:
    body = client.get("/playground/sample").get_json()
    assert body["text"] == seed_text


def test_favicon_is_served(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.content_type == "image/svg+xml"
