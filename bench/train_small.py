"""Train a small seq2seq summariser on train.jsonl, a proxy for measuring lossy speed paths.

    python bench/train_small.py [--minutes 6] [--out bench/small-models]

The shape model's random weights say nothing about quality, and the real
model cannot be downloaded here. This trains a small BART (4+2 layers,
d_model 256, a 8,000-token byte-level BPE) on ``../shared/eval/train.jsonl``
(the only file to fit on) for a few minutes of CPU, and writes it with a
manifest (card: 4 beams, length penalty 2.0, no repeated trigram) and its
CTranslate2 int8 and float32 copies, so ``newsbrief eval`` can score fp32, torch int8,
ct2-int8 and greedy on it (commands in bench/README.md). A small model is a
proxy: its ROUGE is far below a pretrained one's, and the deltas between
paths are what it measures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import torch
from transformers import BartConfig
from transformers import BartForConditionalGeneration

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_shape_model import build_tokenizer  # noqa: E402

NAME = "small-bart"
INPUT_TOKENS = 384
TARGET_TOKENS = 96
MANIFEST = f"""# A small BART trained on train.jsonl by bench/train_small.py (a quality proxy).
[models."{NAME}"]
hub_id = "local/{NAME}"
revision = "local"
license = "none"
max_input_tokens = {INPUT_TOKENS}
generation = {{ num_beams = 4, length_penalty = 2.0, max_length = 90, min_length = 30, no_repeat_ngram_size = 3, early_stopping = true }}
"""


def pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(r["article"], r["reference"]) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/train.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("bench/small-models"))
    parser.add_argument("--minutes", type=float, default=6.0)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    data = pairs(args.data)
    tokenizer = build_tokenizer(
        [a for a, _ in data] + [r for _, r in data], vocab_size=8000, max_length=INPUT_TOKENS
    )
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=256, encoder_layers=4, decoder_layers=2,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=1024,
        decoder_ffn_dim=1024, max_position_embeddings=INPUT_TOKENS + 2, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0,
        forced_eos_token_id=2, dropout=0.1,
    )  # fmt: skip
    model = BartForConditionalGeneration(config)
    sources = tokenizer([a for a, _ in data], truncation=True, max_length=INPUT_TOKENS)["input_ids"]
    targets = tokenizer([r for _, r in data], truncation=True, max_length=TARGET_TOKENS)[
        "input_ids"
    ]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    deadline = time.monotonic() + args.minutes * 60
    order = list(range(len(data)))
    step, epoch = 0, 0
    model.train()
    while time.monotonic() < deadline:
        random.shuffle(order)
        epoch += 1
        for start in range(0, len(order), args.batch):
            if time.monotonic() >= deadline:
                break
            batch = order[start : start + args.batch]
            encoded = tokenizer.pad({"input_ids": [sources[i] for i in batch]}, return_tensors="pt")
            labels = tokenizer.pad({"input_ids": [targets[i] for i in batch]}, return_tensors="pt")[
                "input_ids"
            ]
            labels[labels == tokenizer.pad_token_id] = -100
            loss = model(**encoded, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.3f}", flush=True)
    model.eval()
    folder = args.out / NAME
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    (args.out / "manifest.toml").write_text(MANIFEST)
    (folder / ".newsbrief.json").write_text(
        json.dumps({"hub_id": f"local/{NAME}", "revision": "local"})
    )
    from service.ct2 import convert
    from service.ct2 import ct2_path

    for quantization in ("int8", "float32"):
        convert(folder, ct2_path(args.out, NAME, quantization), quantization)
    print(
        f"wrote {folder} after {step} steps ({epoch} epochs) and its CTranslate2 int8 and float32 copies"
    )


if __name__ == "__main__":
    main()
