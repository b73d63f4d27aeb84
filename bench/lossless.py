"""Which CPU speed-ups leave the output unchanged: token identity and time per article.

    python bench/make_shape_model.py                 # once: bench/shape-models/shape-distilbart
    python bench/lossless.py --articles 100 [--threads 2] [--out bench/lossless.json]
                             [--model bench/small-models/small-bart]

For each dev article (truncated to the model's input length) it
generates with torch fp32 (eager attention: the naive reference), torch
fp32 with SDPA attention, and CTranslate2 float32, greedy and with the
card's beam search (4 beams, length penalty 2.0, no repeated trigram), a
fixed 60 new tokens so random weights do not change the work. The forced
end token at the length limit is off on the torch side: CTranslate2 has no
such option, and with fixed-length output it would decide every last
token (a real model ends on its own well before the limit). It prints,
per path and decoding, the share of articles whose tokens equal the
reference's and the median and p95 seconds per article, one article at a
time (latency, one client).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MODEL = Path("bench/shape-models/shape-distilbart")
NEW_TOKENS = 60
DECODINGS = {
    "greedy": {"num_beams": 1},
    "beam4": {"num_beams": 4, "length_penalty": 2.0, "no_repeat_ngram_size": 3},
}


def articles(path: Path, count: int) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["article"] for line in handle if line.strip()][:count]


def special_ids(tokenizer: Any) -> frozenset[int]:
    """Return the ids that outputs are compared without: start, end and padding."""
    names = ("bos_token_id", "eos_token_id", "pad_token_id", "cls_token_id", "sep_token_id")
    return frozenset(i for i in (getattr(tokenizer, n, None) for n in names) if i is not None)


def encode(tokenizer: Any, text: str) -> list[int]:
    """Return an article's input ids, truncated to the model's input length."""
    limit = min(tokenizer.model_max_length, 1024)
    return [int(i) for i in tokenizer(text, truncation=True, max_length=limit)["input_ids"]]


def torch_model(folder: Path, attention: str) -> Any:
    from transformers import AutoModelForSeq2SeqLM

    return AutoModelForSeq2SeqLM.from_pretrained(
        folder, local_files_only=True, attn_implementation=attention
    ).eval()


def torch_path(folder: Path, attention: str, special: frozenset[int], model: Any = None) -> Any:
    """Return ``run(ids, decoding, **extra)``: fixed-length torch output without ``special`` ids."""
    model = model if model is not None else torch_model(folder, attention)

    def run(ids: list[int], decoding: dict[str, Any], **extra: Any) -> list[int]:
        with torch.inference_mode():
            out = model.generate(
                torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, forced_eos_token_id=None,
                **decoding, **extra,
            )  # fmt: skip
        return [int(t) for t in out[0].tolist() if t not in special]

    return run


def ct2_run(folder: Path, tokenizer: Any, threads: int) -> Any:
    import ctranslate2

    from service.ct2 import convert
    from service.ct2 import ct2_path

    target = ct2_path(folder.parent, folder.name, "float32")
    if not (target / "model.bin").is_file():
        convert(folder, target, quantization="float32")
    translator = ctranslate2.Translator(
        str(target), device="cpu", compute_type="float32", intra_threads=threads
    )

    def run(ids: list[int], decoding: dict[str, Any]) -> list[int]:
        result = translator.translate_batch(
            [tokenizer.convert_ids_to_tokens(ids)], beam_size=decoding["num_beams"],
            max_decoding_length=NEW_TOKENS, min_decoding_length=NEW_TOKENS,
            length_penalty=decoding.get("length_penalty", 1.0),
            no_repeat_ngram_size=decoding.get("no_repeat_ngram_size", 0),
        )  # fmt: skip
        tokens = tokenizer.convert_tokens_to_ids(result[0].hypotheses[0])
        return [int(t) for t in tokens if t not in special_ids(tokenizer)]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/dev.jsonl"))
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
    texts = articles(args.data, args.articles)
    inputs = [encode(tokenizer, t) for t in texts]
    special = special_ids(tokenizer)
    paths = {
        "torch fp32 eager (naive)": torch_path(args.model, "eager", special),
        "torch fp32 sdpa": torch_path(args.model, "sdpa", special),
        "ct2 float32": ct2_run(args.model, tokenizer, args.threads),
    }
    report: dict[str, Any] = {"articles": len(inputs), "threads": args.threads, "results": []}
    for decoding_name, decoding in DECODINGS.items():
        reference: list[list[int]] = []
        for path_name, run in paths.items():
            seconds, outputs = [], []
            for ids in inputs:
                started = time.perf_counter()
                outputs.append(run(ids, decoding))
                seconds.append(time.perf_counter() - started)
            if not reference:
                reference = outputs
            same = sum(a == b for a, b in zip(outputs, reference, strict=True))
            row = {
                "path": path_name, "decoding": decoding_name, "identical": same / len(inputs),
                "median_s": statistics.median(seconds),
                "p95_s": sorted(seconds)[max(0, int(0.95 * len(seconds)) - 1)],
            }  # fmt: skip
            report["results"].append(row)
            print(
                f"{decoding_name:7s} {path_name:26s} identical {same}/{len(inputs)} "
                f"median {row['median_s']:.2f} s p95 {row['p95_s']:.2f} s",
                flush=True,
            )
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
