"""Manifest, presence checks, and fetch with the download replaced by a local copy."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from service.cli import main
from service.errors import ModelMissing
from service.modelstore import STAMP
from service.modelstore import ModelStore

REPO_MODELS = Path(__file__).parents[2] / "models"


def test_manifest_lists_the_supported_models() -> None:
    specs = ModelStore(REPO_MODELS).specs()
    assert {
        "distilbart-cnn-12-6",
        "bart-large-cnn",
        "distilbart-cnn-6-6",
        "pegasus-cnn_dailymail",
    } <= set(specs)
    default = specs["distilbart-cnn-12-6"]
    assert default.hub_id == "sshleifer/distilbart-cnn-12-6"
    assert default.is_pinned
    assert default.generation["num_beams"] == 4
    assert default.generation["length_penalty"] == 2.0


def test_fetch_copies_pinned_revision_and_stamps_it(model_dir: Path, tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []

    def fake_download(**kwargs: Any) -> str:
        calls.append(kwargs)
        shutil.copytree(model_dir / "tiny-bart", kwargs["local_dir"])
        return str(kwargs["local_dir"])

    shutil.copy(model_dir / "manifest.toml", tmp_path)
    store = ModelStore(tmp_path)
    assert not store.is_present("tiny-bart")
    store.fetch("tiny-bart", download=fake_download)
    assert calls[0]["repo_id"] == "local/tiny-bart" and calls[0]["revision"] == "a" * 40
    assert store.is_present("tiny-bart")
    assert (tmp_path / "tiny-bart" / STAMP).is_file()


def test_fetch_failure_says_what_to_do(tmp_path: Path) -> None:
    shutil.copy(REPO_MODELS / "manifest.toml", tmp_path)

    def offline(**kwargs: Any) -> str:
        raise OSError("network unreachable")

    with pytest.raises(ModelMissing) as caught:
        ModelStore(tmp_path).fetch("distilbart-cnn-12-6", download=offline)
    assert "newsbrief models fetch distilbart-cnn-12-6" in caught.value.detail
    assert "HF_ENDPOINT" in caught.value.detail
    assert not (tmp_path / "distilbart-cnn-12-6").exists()


def test_fetch_unknown_model_lists_known(tmp_path: Path) -> None:
    shutil.copy(REPO_MODELS / "manifest.toml", tmp_path)
    with pytest.raises(ModelMissing, match="distilbart-cnn-12-6"):
        ModelStore(tmp_path).fetch("gpt-9")


def test_models_list_cli_shows_presence(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_MODEL_DIR", str(model_dir))
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0
    assert "tiny-bart" in result.output and "present" in result.output


def test_serve_refuses_to_start_without_pinned_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(REPO_MODELS / "manifest.toml", tmp_path)
    monkeypatch.setenv("NEWSBRIEF_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSBRIEF_ENGINE", "abstractive")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0
    assert "newsbrief models fetch distilbart-cnn-12-6" in result.output
