"""Which backend serves a model: the CTranslate2 float32 copy by default, torch when it cannot."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from transformers import AutoTokenizer
from transformers import PLBartConfig
from transformers import PLBartForConditionalGeneration

from service import create_app
from service.cli import main
from service.engines.base import SummaryParams
from service.engines.transformer import TransformerSummarizer
from service.modelstore import ModelStore
from service.text.article import prepare
from tests.model.conftest import tiny_settings
from tests.model.tiny import make_story

pytestmark = pytest.mark.model

FALLBACK = "model_backend_fallback"


def stories(count: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return [make_story(rng)[0] for _ in range(count)]


def convert(folder: Path, name: str = "tiny-bart") -> Any:
    env = {"NEWSBRIEF_MODEL_DIR": str(folder)}
    return CliRunner().invoke(
        main, ["models", "convert", name, "--quantization", "float32"], env=env
    )


def loaded(folder: Path, name: str = "tiny-bart", **values: str) -> TransformerSummarizer:
    engine = TransformerSummarizer(tiny_settings(folder, model=name, **values), ModelStore(folder))
    engine.load()
    return engine


def fetch(models: Path, name: str, source: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``newsbrief models fetch NAME`` with the download replaced by a copy of ``source``."""

    def fake_download(**kwargs: Any) -> str:
        shutil.copytree(source, kwargs["local_dir"])
        return str(kwargs["local_dir"])

    monkeypatch.setattr("huggingface_hub.snapshot_download", fake_download)
    env = {"NEWSBRIEF_MODEL_DIR": str(models)}
    fetched = CliRunner().invoke(main, ["models", "fetch", name], env=env)
    assert fetched.exit_code == 0, fetched.output
    return fetched


def fallbacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith(FALLBACK)]


@pytest.fixture
def models(model_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny models (conversions write next to them)."""
    shutil.copytree(model_dir, tmp_path / "m")
    return tmp_path / "m"


def test_default_serves_the_float32_copy_without_loading_torch_weights(models: Path) -> None:
    assert convert(models).exit_code == 0
    engine = loaded(models)
    assert (engine.backend, engine.precision, engine.fallback) == ("ctranslate2", "float32", None)
    assert engine._model is None  # the torch weights never loaded
    torch_engine = loaded(models, quantize="none", num_beams="1")
    assert (torch_engine.backend, torch_engine.precision) == ("torch", "float32")
    greedy = loaded(models, num_beams="1")
    articles = [prepare(t) for t in stories(6, seed=5)]
    params = SummaryParams(max_words=30)
    assert [s.text for s in greedy.summarize(articles, params)] == [
        s.text for s in torch_engine.summarize(articles, params)
    ]


def test_no_copy_falls_back_to_torch_once_with_the_remedy(
    models: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.engines.transformer")
    engine = loaded(models)
    engine.summarize([prepare(stories(1, seed=3)[0])], SummaryParams(max_words=20))
    assert (engine.backend, engine.precision) == ("torch", "float32")
    assert engine.fallback is not None and "newsbrief models convert tiny-bart" in engine.fallback
    (record,) = fallbacks(caplog)
    assert record.levelno == logging.INFO  # a normal state, not an error


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "model.bin").write_bytes(b"not a model"),
        lambda folder: (folder / "model.bin").write_bytes(
            (folder / "model.bin").read_bytes()[:999]
        ),
        lambda folder: (folder / "config.json").write_text("{"),
    ],
    ids=["garbage", "truncated", "bad-config"],
)
def test_a_corrupt_copy_falls_back_to_torch_with_a_warning(
    models: Path, caplog: pytest.LogCaptureFixture, damage: Any
) -> None:
    assert convert(models).exit_code == 0
    damage(models / "tiny-bart-ct2-float32")
    caplog.set_level(logging.INFO, logger="service.engines.transformer")
    engine = loaded(models)
    assert engine.backend == "torch" and engine.fallback is not None
    assert "did not load" in engine.fallback
    (record,) = fallbacks(caplog)
    assert record.levelno == logging.WARNING
    (summary,) = engine.summarize([prepare(stories(1, seed=4)[0])], SummaryParams(max_words=20))
    assert summary.text


def test_an_explicit_ct2_setting_still_refuses_a_missing_copy(models: Path) -> None:
    from service.errors import ModelMissing

    with pytest.raises(ModelMissing, match="models convert tiny-bart --quantization float32"):
        loaded(models, quantize="ct2-float32")


def build_plbart(folder: Path, tokenizer_from: Path) -> None:
    """A tiny PLBart: a seq2seq model transformers serves and CTranslate2 cannot convert."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_from, local_files_only=True)
    config = PLBartConfig(
        vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=256, pad_token_id=1, bos_token_id=0,
        eos_token_id=2, decoder_start_token_id=2,
    )  # fmt: skip
    model = PLBartForConditionalGeneration(config)
    model.generation_config.max_length = 16
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def test_an_architecture_ctranslate2_lacks_is_fetched_and_served_by_torch(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_plbart(models / "built-plbart", models / "tiny-bart")
    manifest = models / "manifest.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[models."tiny-plbart"]\nhub_id = "local/tiny-plbart"\nrevision = "'
        + "b" * 40
        + '"\nlicense = "mit"\nmax_input_tokens = 256\ngeneration = { num_beams = 1 }\n'
    )

    fetched = fetch(models, "tiny-plbart", models / "built-plbart", monkeypatch)
    assert "no CTranslate2 copy, torch will serve tiny-plbart" in fetched.output
    assert not (models / "tiny-plbart-ct2-float32").exists()
    refused = convert(models, "tiny-plbart")
    assert refused.exit_code != 0 and "CTranslate2 cannot convert tiny-plbart" in refused.output
    assert "Traceback" not in refused.output
    engine = loaded(models, name="tiny-plbart")
    assert engine.backend == "torch" and engine.fallback is not None


def test_fetch_writes_the_copy_the_engine_then_serves(
    models: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(models / "tiny-bart")
    fetch(models, "tiny-bart", model_dir / "tiny-bart", monkeypatch)
    assert (models / "tiny-bart-ct2-float32" / "model.bin").is_file()
    assert loaded(models).backend == "ctranslate2"


def ready_client(models: Path) -> FlaskClient:
    client = create_app(tiny_settings(models, load_on_start="true")).test_client()
    deadline = time.monotonic() + 60
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    return client


def default_engine(client: FlaskClient) -> dict[str, Any]:
    (engine,) = [e for e in client.get("/v1/engines").get_json()["engines"] if e["default"]]
    return dict(engine)


def test_engines_and_answers_say_which_backend_ran(models: Path) -> None:
    assert convert(models).exit_code == 0
    client = ready_client(models)
    engine = default_engine(client)
    assert (engine["backend"], engine["precision"], engine["fallback"]) == (
        "ctranslate2", "float32", None,
    )  # fmt: skip
    answer = client.post("/v1/summaries", json={"text": stories(1, seed=8)[0]}).get_json()
    assert (answer["backend"], answer["precision"]) == ("ctranslate2", "float32")
    shutil.rmtree(models / "tiny-bart-ct2-float32")
    engine = default_engine(ready_client(models))
    assert engine["backend"] == "torch" and "models convert" in engine["fallback"]


def test_replicas_generate_in_parallel_with_the_same_output(models: Path) -> None:
    """Two replicas on one copy, fed by two batcher runners, sharing one tokenizer."""
    from concurrent.futures import ThreadPoolExecutor

    from service.engines.batcher import BatchedSummarizer

    assert convert(models).exit_code == 0
    inner = TransformerSummarizer(tiny_settings(models, torch_threads="2"), ModelStore(models))
    engine = BatchedSummarizer(inner, batch_size=1, wait_ms=0, queue_size=64, timeout_s=60)
    engine.load()
    assert inner.parallel == 2 and len(engine.batcher._threads) == 2
    articles = [prepare(t) for t in stories(16, seed=12)]
    params = SummaryParams(max_words=30)
    alone = [inner.summarize([a], params)[0].text for a in articles]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda a: engine.summarize([a], params)[0].text, articles))
    assert together == alone
    assert max(engine.batcher.batches) == 1
    engine.batcher.close()
