"""The ROUGE cost of each speed path, on a small model whose outputs mean something.

    python bench/train_small.py                    # once: bench/small-models/small-bart (+ ct2 copies)
    python bench/lossy.py [--data ../shared/eval/val.jsonl] [--limit 300] [--paths 0,1,2,5]

Runs ``newsbrief eval --engine abstractive`` on the small model for each
path (torch fp32 with the card's 4 beams as the reference, the default
CTranslate2 float32, CTranslate2 int8, torch int8, greedy), a path per core
at once, scores each with
``../shared/eval/score.py --field summary``, and prints ROUGE-1/2/Lsum, the
delta to the reference, the share of summaries identical to the
reference's, and the wall time of the run. A small model is a proxy for
the real one: the deltas, not the absolute ROUGE, are what it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PATHS = {
    "torch fp32, 4 beams (reference)": {"NEWSBRIEF_QUANTIZE": "none"},
    "ct2 float32, 4 beams (default)": {},
    "ct2 int8, 4 beams": {"NEWSBRIEF_QUANTIZE": "ct2-int8"},
    "torch int8, 4 beams": {"NEWSBRIEF_QUANTIZE": "int8"},
    "torch fp32, greedy": {"NEWSBRIEF_QUANTIZE": "none", "NEWSBRIEF_NUM_BEAMS": "1"},
    "ct2 float32, greedy": {"NEWSBRIEF_NUM_BEAMS": "1"},
    "ct2 int8, greedy": {"NEWSBRIEF_QUANTIZE": "ct2-int8", "NEWSBRIEF_NUM_BEAMS": "1"},
}


def run(env: dict[str, str], data: Path, out: Path, limit: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "service.cli", "eval", "--data", str(data), "--engine", "abstractive",
         "--out", str(out), "--limit", str(limit)],
        env={**os.environ, **env}, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def score(data: Path, preds: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "../shared/eval/score.py", "--refs", str(data), "--preds", str(preds),
         "--field", "summary", "--json"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads(result.stdout)
    return {k: float(report[k]) for k in ("rouge1", "rouge2", "rougeLsum")}


def summaries(preds: Path) -> dict[str, str]:
    with preds.open(encoding="utf-8") as handle:
        return {row["id"]: row["summary"] for row in map(json.loads, handle)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/val.jsonl"))
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--model-dir", default="bench/small-models")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsbrief-lossy"))
    parser.add_argument(
        "--paths", default=",".join(str(i) for i in range(len(PATHS))),
        help="indices into the table (0 is the reference and always runs)",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1,
        help="paths run at once, one thread each (wall times are then under contention)",
    )  # fmt: skip
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    limited = args.work / "refs.jsonl"  # score.py wants every reference id predicted
    with args.data.open(encoding="utf-8") as handle:
        limited.write_text("".join(line for line in list(handle)[: args.limit] if line.strip()))
    base = {
        "NEWSBRIEF_MODEL_DIR": args.model_dir, "NEWSBRIEF_MODEL": "small-bart",
        "NEWSBRIEF_ENGINE": "abstractive", "NEWSBRIEF_CACHE_BYTES": "0", "HF_HUB_OFFLINE": "1",
        "NEWSBRIEF_LOG_LEVEL": "WARNING", "NEWSBRIEF_TORCH_THREADS": "1",
    }  # fmt: skip
    labels = list(PATHS)
    chosen = sorted({0, *(int(i) for i in args.paths.split(","))})

    def one(index: int) -> tuple[int, float]:
        preds = args.work / f"preds-{index}.jsonl"
        return index, run({**base, **PATHS[labels[index]]}, limited, preds, args.limit)

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        seconds = dict(pool.map(one, chosen))
    results = {i: score(limited, args.work / f"preds-{i}.jsonl") for i in chosen}
    reference, reference_texts = results[0], summaries(args.work / "preds-0.jsonl")
    print(
        f"{len(reference_texts)} articles of {args.data}; {args.jobs} paths at once, 1 thread each"
    )
    print(
        f"{'path':32} {'R-1':>6} {'R-2':>6} {'R-Lsum':>7} {'dR-1':>6} {'dR-Lsum':>7} {'same':>6} {'time s':>7}"
    )
    for index in chosen:
        scores, texts = results[index], summaries(args.work / f"preds-{index}.jsonl")
        same = sum(texts[k] == v for k, v in reference_texts.items()) / len(reference_texts)
        print(
            f"{labels[index]:32} {scores['rouge1']:6.2f} {scores['rouge2']:6.2f} "
            f"{scores['rougeLsum']:7.2f} {scores['rouge1'] - reference['rouge1']:+6.2f} "
            f"{scores['rougeLsum'] - reference['rougeLsum']:+7.2f} {same:6.0%} {seconds[index]:7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
