"""Session fixtures: tiny models on disk and settings that point at them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from service.engines.transformer import TransformerSummarizer
from service.modelstore import ModelStore
from service.settings import Settings
from tests.conftest import SEED
from tests.model.tiny import build_bart
from tests.model.tiny import build_t5
from tests.model.tiny import write_manifest


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    threads = torch.get_num_threads()
    build_bart(root / "tiny-bart", SEED.read_text())
    build_t5(root / "tiny-t5")
    write_manifest(root)
    torch.set_num_threads(threads)
    return root


def tiny_settings(model_dir: Path, **values: str) -> Settings:
    base = {
        "model_dir": str(model_dir),
        "model": "tiny-bart",
        "engine": "abstractive",
        "device": "cpu",
        "load_on_start": "false",
        "torch_threads": "1",
    }
    return Settings.from_mapping({**base, **values})


@pytest.fixture(scope="session")
def bart(model_dir: Path) -> Iterator[TransformerSummarizer]:
    settings = tiny_settings(model_dir)
    engine = TransformerSummarizer(settings, ModelStore(model_dir))
    engine.load(SEED.read_text())
    yield engine
