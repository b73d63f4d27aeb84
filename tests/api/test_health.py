import pytest

from service import create_app
from service.engines import EngineRegistry
from service.settings import Settings
from tests.conftest import FakeSummarizer


@pytest.mark.parametrize("path", ["/livez", "/v2/health/live"])
def test_liveness_answers_before_engines_load(path: str) -> None:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    client = create_app(Settings(load_on_start=False), engines=registry).test_client()
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/readyz", "/v2/health/ready"])
def test_readyz_is_503_until_engines_load(path: str) -> None:
    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    client = create_app(Settings(load_on_start=False), engines=registry).test_client()
    response = client.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.content_type == "application/problem+json"
    registry.load_all()
    assert client.get(path).status_code == 200


def test_readyz_reports_load_failure() -> None:
    registry = EngineRegistry({"fake": FakeSummarizer(fail_load="no weights")}, default="fake")
    client = create_app(Settings(load_on_start=False), engines=registry).test_client()
    registry.load_all()
    response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.get_json()["detail"]
    assert "failed to load" in detail and "no weights" not in detail  # reason in the log only


def test_background_load_turns_ready() -> None:
    import time

    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    client = create_app(Settings(load_on_start=True), engines=registry).test_client()
    deadline = time.monotonic() + 10
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("freeze", [False, True])
def test_only_a_served_app_freezes_what_its_load_made(freeze: bool) -> None:
    import gc
    import threading

    registry = EngineRegistry({"fake": FakeSummarizer()}, default="fake")
    before = gc.get_freeze_count()
    try:
        create_app(Settings(load_on_start=True), engines=registry, freeze_after_load=freeze)
        for thread in threading.enumerate():
            if thread.name == "engine-load":
                thread.join(timeout=60)
        assert (gc.get_freeze_count() > before) is freeze
    finally:
        gc.unfreeze()  # a test process makes many apps: nothing stays frozen
