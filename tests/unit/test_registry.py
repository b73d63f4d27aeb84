import pytest

from service.engines import ENGINE_FACTORIES
from service.engines import EngineRegistry
from service.engines import resolve_default
from service.engines.lead import LeadSummarizer
from service.errors import EngineFailed
from service.errors import EngineNotFound
from service.errors import ModelMissing
from service.errors import ModelNotReady
from service.modelstore import ModelStore
from service.settings import Settings
from tests.conftest import FakeSummarizer


def test_registry_factories_are_an_explicit_table() -> None:
    assert set(ENGINE_FACTORIES) == {"abstractive", "extractive", "lead", "bullets"}


def test_registry_get_unknown_engine_lists_valid_names() -> None:
    registry = EngineRegistry({"lead": LeadSummarizer()}, default="lead")
    with pytest.raises(EngineNotFound) as caught:
        registry.get("nope")
    assert caught.value.extensions["engines"] == ["lead"]


def test_registry_get_before_load_is_not_ready() -> None:
    registry = EngineRegistry({"lead": LeadSummarizer()}, default="lead")
    with pytest.raises(ModelNotReady) as caught:
        registry.get()
    assert caught.value.headers["Retry-After"]
    registry.load_all()
    assert registry.get().name == "lead"


def test_registry_load_failure_is_recorded_not_raised() -> None:
    broken = FakeSummarizer(fail_load="weights are missing")
    registry = EngineRegistry({"fake": broken, "lead": LeadSummarizer()}, default="fake")
    registry.load_all()
    assert not registry.all_ready()
    assert broken.failure is not None
    assert "weights are missing" not in broken.failure.detail  # internals stay in the log
    assert registry.engines["lead"].ready
    with pytest.raises(EngineFailed) as caught:
        registry.get("fake")
    assert "Retry-After" not in caught.value.headers  # it will not pass by waiting


def test_registry_missing_weights_are_permanent_and_name_the_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Missing(LeadSummarizer):
        def _load(self) -> None:
            ModelStore(tmp_path).require("distilbart-cnn-12-6")

    registry = EngineRegistry({"abstractive": Missing()}, default="abstractive")
    registry.load_all()
    with pytest.raises(ModelMissing) as caught:
        registry.get()
    assert "Retry-After" not in caught.value.headers
    assert "newsbrief models fetch distilbart-cnn-12-6" in caught.value.detail
    assert str(tmp_path) not in caught.value.detail
    (described,) = registry.describe()
    assert str(tmp_path) not in str(described) and "models fetch" in described["error"]


def test_registry_rejects_unknown_default() -> None:
    with pytest.raises(ValueError):
        EngineRegistry({"lead": LeadSummarizer()}, default="fake")


def test_resolve_default_auto_falls_back_to_extractive(tmp_path: object) -> None:
    settings = Settings.from_mapping({"model_dir": str(tmp_path)})
    assert resolve_default(settings) == "extractive"
    assert resolve_default(Settings.from_mapping({"engine": "lead"})) == "lead"


def test_resolve_default_auto_prefers_present_weights(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "distilbart-cnn-12-6"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"")
    settings = Settings.from_mapping({"model_dir": str(tmp_path)})
    assert resolve_default(settings) == "abstractive"


def test_registry_get_waits_for_an_engine_that_is_loading() -> None:
    import threading
    import time

    class SlowLoad(FakeSummarizer):
        def _load(self) -> None:
            time.sleep(0.3)

    slow = SlowLoad()
    registry = EngineRegistry({"fake": slow}, default="fake", load_wait_s=5)
    loader = threading.Thread(target=registry.load_all)
    loader.start()
    time.sleep(0.05)
    assert registry.get() is slow  # waited for the load instead of answering 503
    loader.join()


def test_registry_get_does_not_wait_past_its_limit() -> None:
    import threading
    import time

    class SlowLoad(FakeSummarizer):
        def _load(self) -> None:
            time.sleep(1.0)

    registry = EngineRegistry({"fake": SlowLoad()}, default="fake", load_wait_s=0.1)
    loader = threading.Thread(target=registry.load_all)
    loader.start()
    time.sleep(0.05)
    with pytest.raises(ModelNotReady):
        registry.get()
    loader.join()


@pytest.mark.parametrize("fail_load", [None, "weights are missing"])
def test_registry_says_when_the_default_was_tried_before_the_others_load(
    fail_load: str | None,
) -> None:
    """A replacement worker waits on this: set once the default loaded or failed, not later."""
    import threading

    release = threading.Event()

    class Blocked(FakeSummarizer):
        def _load(self) -> None:
            release.wait(5)

    default = FakeSummarizer(fail_load=fail_load)
    registry = EngineRegistry({"fake": default, "slow": Blocked()}, default="fake")
    assert not registry.default_tried.is_set()
    loader = threading.Thread(target=registry.load_all)
    loader.start()
    assert registry.default_tried.wait(5)
    assert not registry.loaded.is_set()  # the other engine is still loading
    assert registry.all_ready() is (fail_load is None)
    release.set()
    loader.join()
    assert registry.loaded.is_set()


def test_registry_logs_engine_ready_once_per_served_engine_when_it_serves(caplog) -> None:  # type: ignore[no-untyped-def]
    """A wrapped engine (the batcher's inner one) loads too, but only what serves says ready."""
    from service.engines.batcher import BatchedSummarizer

    served: list[bool] = []

    class Watched(LeadSummarizer):
        def warmup(self, sample: str) -> None:
            served.append(wrapped.ready)  # still warming: not ready, nothing logged yet
            assert "engine_ready" not in caplog.text
            super().warmup(sample)

    wrapped = BatchedSummarizer(Watched(), batch_size=1, wait_ms=0, queue_size=4, timeout_s=5)
    registry = EngineRegistry({"lead": wrapped, "failing": FakeSummarizer(fail_load="x")}, "lead")
    with caplog.at_level("INFO", logger="service.engines"):
        registry.load_all("A short story. It has two sentences.")
    try:
        ready = [r.getMessage() for r in caplog.records if "engine_ready" in r.getMessage()]
        assert served == [False]
        assert len(ready) == 1 and "engine=lead" in ready[0] and "warmup_s=" in ready[0]
    finally:
        wrapped.batcher.close()


def test_registry_says_once_at_info_that_optional_weights_are_not_fetched(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    class Missing(LeadSummarizer):
        def _load(self) -> None:
            ModelStore(tmp_path).require("distilbart-cnn-12-6")

    registry = EngineRegistry({"abstractive": Missing(), "lead": LeadSummarizer()}, default="lead")
    with caplog.at_level("DEBUG"):
        registry.load_all()
    about = [
        r
        for r in caplog.records
        if "distilbart" in r.getMessage() or "abstractive" in r.getMessage()
    ]
    assert [r.levelname for r in about] == ["INFO"]
    assert "newsbrief models fetch distilbart-cnn-12-6" in about[0].getMessage()


def test_registry_logs_missing_weights_of_the_default_engine_as_an_error(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    class Missing(LeadSummarizer):
        def _load(self) -> None:
            ModelStore(tmp_path).require("distilbart-cnn-12-6")

    registry = EngineRegistry({"abstractive": Missing()}, default="abstractive")
    with caplog.at_level("DEBUG"):
        registry.load_all()
    assert [r.levelname for r in caplog.records if "engine_load_failed" in r.getMessage()] == [
        "ERROR"
    ]
