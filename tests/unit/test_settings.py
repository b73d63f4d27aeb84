from pathlib import Path

import pytest

from service.settings import Settings
from service.settings import SettingsError


def test_settings_defaults_are_safe_for_local_runs() -> None:
    settings = Settings.from_env({})
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.engine == "auto"
    assert settings.max_body_bytes == 1024 * 1024


def test_settings_parse_each_kind() -> None:
    settings = Settings.from_env(
        {
            "NEWSBRIEF_PORT": "9000",
            "NEWSBRIEF_LOAD_ON_START": "no",
            "NEWSBRIEF_MODEL_DIR": "/tmp/m",
            "NEWSBRIEF_LOG_LEVEL": "debug",
            "NEWSBRIEF_MAX_BODY_BYTES": "2_000_000",
            "OTHER": "ignored",
        }
    )
    assert settings.port == 9000
    assert settings.load_on_start is False
    assert settings.model_dir == Path("/tmp/m")
    assert settings.log_level == "DEBUG"
    assert settings.max_body_bytes == 2_000_000


def test_settings_error_names_every_bad_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {"NEWSBRIEF_PORT": "eighty", "NEWSBRIEF_LOAD_ON_START": "maybe", "NEWSBRIEF_TYPO": "1"}
        )
    message = str(caught.value)
    for name in ("NEWSBRIEF_PORT", "NEWSBRIEF_LOAD_ON_START", "NEWSBRIEF_TYPO"):
        assert name in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "0"),
        ("ENGINE", "gpt"),
        ("DEVICE", "tpu"),
        ("MAX_BATCH", "0"),
        ("WORKERS", "1000"),
        ("BULLET_PUNCTUATION", "semicolon"),
        ("MODEL", ""),
    ],
)
def test_settings_reject_out_of_range_values(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({f"NEWSBRIEF_{name}": value})
    assert f"NEWSBRIEF_{name}" in str(caught.value)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_settings_torch_threads_share_cores_among_workers() -> None:
    settings = Settings.from_env({"NEWSBRIEF_WORKERS": "64"})
    assert settings.effective_torch_threads == 1
    assert Settings.from_env({"NEWSBRIEF_TORCH_THREADS": "3"}).effective_torch_threads == 3


def test_a_converted_model_is_served_by_one_worker_with_a_replica_per_core(tmp_path) -> None:
    """The CTranslate2 copy is not fork-safe: one worker holds it once, not one per worker."""
    import os
    import shutil

    from service.modelstore import ModelStore

    shutil.copy(ModelStore(Settings().model_dir).root / "manifest.toml", tmp_path)
    weights = tmp_path / "distilbart-cnn-12-6"
    weights.mkdir()
    (weights / "config.json").write_text("{}")
    (weights / "model.safetensors").write_bytes(b"")
    base = {"NEWSBRIEF_MODEL_DIR": str(tmp_path)}
    cores = max(1, os.cpu_count() or 1)
    assert Settings.from_env(base).effective_workers == cores  # torch: one worker per core
    copy = tmp_path / "distilbart-cnn-12-6-ct2-float32"
    copy.mkdir()
    (copy / "model.bin").write_bytes(b"")
    served = Settings.from_env(base)
    assert (served.effective_workers, served.effective_torch_threads) == (1, cores)
    for other in ({"NEWSBRIEF_QUANTIZE": "none"}, {"NEWSBRIEF_ENGINE": "extractive"},
                  {"NEWSBRIEF_DEVICE": "cuda"}, {"NEWSBRIEF_QUANTIZE": "ct2-int8"}):  # fmt: skip
        assert Settings.from_env({**base, **other}).effective_workers == cores, other
    assert Settings.from_env({**base, "NEWSBRIEF_WORKERS": "3"}).effective_workers == 3


def test_threads_default_to_four_beside_a_model_and_two_for_the_rules(tmp_path) -> None:
    """A generation waits on the model; the rules hold the GIL, where threads only take turns."""
    import shutil

    from service.modelstore import ModelStore

    shutil.copy(ModelStore(Settings().model_dir).root / "manifest.toml", tmp_path)
    base = {"NEWSBRIEF_MODEL_DIR": str(tmp_path)}
    assert Settings.from_env(base).effective_threads == 2  # no weights: the embedded default
    assert Settings.from_env({**base, "NEWSBRIEF_ENGINE": "abstractive"}).effective_threads == 4
    weights = tmp_path / "distilbart-cnn-12-6"
    weights.mkdir()
    (weights / "config.json").write_text("{}")
    (weights / "model.safetensors").write_bytes(b"")
    assert Settings.from_env(base).effective_threads == 4
    assert Settings.from_env({**base, "NEWSBRIEF_ENGINE": "extractive"}).effective_threads == 2
    assert Settings.from_env({**base, "NEWSBRIEF_THREADS": "3"}).effective_threads == 3
