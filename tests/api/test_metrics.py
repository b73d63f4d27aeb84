"""Prometheus metrics at /metrics."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


def test_metrics_count_requests_and_rejections(client: FlaskClient) -> None:
    client.post("/v1/summaries", json={"text": "The council met on Monday and voted."})
    client.post("/v1/summaries", json={"text": ""})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert (
        'newsbrief_requests_total{key="-",method="POST",route="/v1/summaries",status="200"}' in text
    )
    assert 'newsbrief_rejected_total{reason="422"}' in text
    assert "newsbrief_request_seconds_bucket" in text
    assert "newsbrief_cache_total" in text
    assert "newsbrief_model_load_seconds" in text


def test_metrics_never_contain_article_text(client: FlaskClient) -> None:
    client.post("/v1/summaries", json={"text": "Zanzibarian marmosets escaped the zoo today."})
    assert "marmosets" not in client.get("/metrics").get_data(as_text=True)


def test_access_log_is_one_logfmt_line_without_article_text(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="service.api.requests")
    client.post("/v1/summaries", json={"text": "Zanzibarian marmosets escaped the zoo today."})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "service.api.requests"]
    assert "request_id=" in line and "engine=fake" in line and "latency_ms=" in line
    assert "marmosets" not in line


def test_metrics_method_label_is_a_closed_set(client: FlaskClient) -> None:
    before = client.get("/metrics").get_data(as_text=True).count("newsbrief_requests_total{")
    for number in range(50):
        client.open("/v1/bullets", method=f"X{number}")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'method="X1"' not in text
    assert 'method="other"' in text
    assert text.count("newsbrief_requests_total{") <= before + 3  # other, and /metrics itself


@pytest.mark.parametrize(
    "path",
    [
        "/x%0Ats=2026 level=ERROR logger=service.access.keys msg=forged_admin_login",
        "/x%20key=alice%20status=200",
        '/x"%0D%0Aevil=1',
    ],
)
def test_access_log_quotes_client_values_so_no_line_or_field_is_forged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    import logging
    import shlex

    caplog.set_level(logging.INFO, logger="service.api.requests")
    client.get(path)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "service.api.requests"]
    assert "\n" not in line and "\r" not in line
    fields = dict(item.split("=", 1) for item in shlex.split(line)[1:])
    assert set(fields) == {
        "request_id", "key", "engine", "method", "path", "status", "bytes_in", "latency_ms"
    }  # fmt: skip
    assert fields["status"] == "404" and fields["key"] == "-"


def test_successful_probes_are_not_logged_at_info(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="service.api.requests")
    for path in ("/livez", "/v2/health/live"):
        assert client.get(path).status_code == 200
    assert not [r for r in caplog.records if r.name == "service.api.requests"]
    client.get("/v1/engines")
    assert [r for r in caplog.records if r.name == "service.api.requests"]


def test_metrics_on_the_api_port_need_a_key_when_keys_are_set() -> None:
    """The metrics name every key and count its requests: not for anonymous eyes."""
    from service import create_app
    from service.access.keys import new_key
    from service.engines import EngineRegistry
    from service.settings import Settings
    from tests.conftest import FakeSummarizer

    key, entry = new_key("cms")
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    app = create_app(Settings(load_on_start=False, api_keys=entry), engines=registry)
    client = app.test_client()
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and b"cms" not in anonymous.get_data()
    assert client.get("/metrics", headers={"X-API-Key": key}).status_code == 200
