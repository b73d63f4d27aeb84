"""Check the CUDA path and measure GPU throughput with distilbart-cnn-12-6's shapes.

    python bench/gpu_check.py --corpus .bench-data/dev.jsonl [--out /tmp/shape-models]

1. The abstractive engine on CUDA (default dtype: bf16), random weights of
   distilbart-cnn-12-6's exact shapes, the card's beam search, fixed output
   length: articles/s at generate batch sizes 1, 8 and 32 (issue 4).
2. CTranslate2 on CUDA, float16 and int8_float16, the same articles and
   beam search, at batch 1, 8 and 32 (issue 16).
3. The torch engine behind the micro-batcher with 1, 8, 32 and 64
   concurrent client threads, for batcher waits of 10, 30 and 60 ms:
   articles/s, p95 latency, mean batch, and at 32 clients the share of the
   raw batch-32 throughput it reaches (goal: 80 %, issue 16).
Prints one line per measurement; nothing here is a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_shape_model import NAME  # noqa: E402
from bench.percentile import percentile  # noqa: E402
from service.engines.base import SummaryParams  # noqa: E402
from service.engines.batcher import BatchedSummarizer  # noqa: E402
from service.engines.transformer import TransformerSummarizer  # noqa: E402
from service.modelstore import ModelStore  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.text.article import prepare  # noqa: E402

WORDS = 43  # min = max: about 60 new tokens, fixed work whatever the weights


def engine_for(model_dir: Path, batch: int, device: str) -> TransformerSummarizer:
    settings = Settings.from_mapping(
        {"model_dir": str(model_dir), "model": NAME, "device": device, "generate_batch": str(batch),
         "max_chunks": "1", "quantize": "none"}
    )  # fmt: skip
    engine = TransformerSummarizer(settings, ModelStore(model_dir))
    engine.load()
    return engine


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def measure_batches(
    engine: TransformerSummarizer, articles: list, sizes: tuple[int, ...]
) -> dict[int, float]:
    params = SummaryParams(max_words=WORDS, min_words=WORDS)
    rates: dict[int, float] = {}
    for size in sizes:
        engine.settings = dataclasses.replace(engine.settings, generate_batch=size)
        work = articles[: max(size * 3, 6)]
        engine.summarize(work[:size], params)  # warm-up at this shape
        _sync()
        started = time.perf_counter()
        engine.summarize(work, params)
        _sync()
        elapsed = time.perf_counter() - started
        rates[size] = len(work) / elapsed
        print(
            f"engine batch={size:3d}: {len(work) / elapsed:8.2f} articles/s ({len(work)} articles, {elapsed:.2f} s)",
            flush=True,
        )
    return rates


def measure_ct2(model_dir: Path, articles: list, sizes: tuple[int, ...]) -> None:
    """CTranslate2 on CUDA: float16 and int8_float16 copies of the shape model, beam 4."""
    import ctranslate2
    from transformers import AutoTokenizer

    from service.ct2 import convert
    from service.ct2 import ct2_path

    source = model_dir / NAME
    target = ct2_path(model_dir, NAME, "float16")
    if not (target / "model.bin").is_file():
        convert(source, target, quantization="float16")
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    tokens = [
        tokenizer.convert_ids_to_tokens(
            tokenizer(a.text, truncation=True, max_length=1024)["input_ids"]
        )
        for a in articles
    ]
    for compute_type in ("float16", "int8_float16"):
        translator = ctranslate2.Translator(str(target), device="cuda", compute_type=compute_type)
        for size in sizes:
            work = tokens[: max(size * 3, 6)]
            options = {"beam_size": 4, "length_penalty": 2.0, "no_repeat_ngram_size": 3,
                       "max_decoding_length": 61, "min_decoding_length": 61, "max_batch_size": size}  # fmt: skip
            translator.translate_batch(work[:size], **options)  # warm-up at this shape
            started = time.perf_counter()
            translator.translate_batch(work, **options)
            elapsed = time.perf_counter() - started
            print(
                f"ct2 {compute_type:12s} batch={size:3d}: {len(work) / elapsed:8.2f} articles/s",
                flush=True,
            )
        del translator


def drive(
    batched: BatchedSummarizer, articles: list, count: int, seconds: float
) -> tuple[list[float], float]:
    """Run ``count`` client threads for ``seconds``; return latencies and elapsed time."""
    params = SummaryParams(max_words=WORDS, min_words=WORDS)
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))

    def client() -> None:
        while time.monotonic() < stop_at:
            article = articles[next(counter) % len(articles)]
            started = time.perf_counter()
            batched.summarize([article], params)
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies), time.monotonic() - started


def measure_clients(
    engine: TransformerSummarizer, articles: list, clients: tuple[int, ...], seconds: float,
    wait_ms: int = 10, raw32: float = 0.0,
) -> None:  # fmt: skip
    batched = BatchedSummarizer(
        engine, batch_size=32, wait_ms=wait_ms, queue_size=1024, timeout_s=600
    )
    batched.batcher.start()
    print(f"micro-batcher wait {wait_ms} ms", flush=True)
    for count in clients:
        batched.batcher.batches.clear()
        latencies, elapsed = drive(batched, articles, count, seconds)
        p95 = percentile(latencies, 0.95)
        mean_batch = sum(batched.batcher.batches) / max(1, len(batched.batcher.batches))
        print(
            f"micro-batcher clients={count:3d}: {len(latencies) / elapsed:8.2f} articles/s, "
            f"p95 {p95:.2f} s, mean batch {mean_batch:.1f}"
            + (
                f", {len(latencies) / elapsed / raw32:.0%} of raw batch-32"
                if count == 32 and raw32
                else ""
            ),
            flush=True,
        )
    batched.batcher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path(".bench-data/dev.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/shape-models"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--device", default="cuda", help="cpu only to smoke-test this script")
    parser.add_argument("--sizes", default="1,8,32")
    args = parser.parse_args()
    subprocess.run(
        [
            sys.executable,
            "bench/make_shape_model.py",
            "--out",
            str(args.out),
            "--corpus",
            str(args.corpus),
        ],
        check=True,
    )
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    print(f"torch {torch.__version__}, gpu {gpu}", flush=True)
    with args.corpus.open(encoding="utf-8") as handle:
        articles = [prepare(json.loads(line)["article"]) for line in handle if line.strip()]
    engine = engine_for(args.out, 1, args.device)
    print(
        f"engine device={engine.device} dtype={engine.dtype} preferred_batch={engine.preferred_batch}",
        flush=True,
    )
    sizes = tuple(int(s) for s in args.sizes.split(","))
    rates = measure_batches(engine, articles, sizes)
    if args.device == "cuda":
        measure_ct2(args.out, articles, sizes)
    for wait_ms in (10, 30, 60):
        measure_clients(engine, articles, (*sizes, 64), args.seconds, wait_ms, rates.get(32, 0.0))


if __name__ == "__main__":
    main()
