"""Write a random model with distilbart-cnn-12-6's exact shapes, for speed tests.

    python bench/make_shape_model.py [--out bench/shape-models] [--corpus FILE.jsonl]

Speed does not depend on the weights, so this measures what the real model
costs without downloading it. The tokenizer is a byte-level BPE trained on
the corpus (the dev set by default) so token counts per article are close to
BART's. The folder gets a manifest with the distilbart card's generation
settings, so ``NEWSBRIEF_MODEL_DIR=bench/shape-models
NEWSBRIEF_MODEL=shape-distilbart`` serves it like a fetched model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer
from tokenizers import decoders
from tokenizers import models
from tokenizers import pre_tokenizers
from tokenizers import processors
from tokenizers import trainers
from transformers import BartConfig
from transformers import BartForConditionalGeneration
from transformers import PreTrainedTokenizerFast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAME = "shape-distilbart"
SHAPES = {
    "vocab_size": 50264,
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 6,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "max_position_embeddings": 1024,
}
MANIFEST = f"""# Random weights with distilbart-cnn-12-6's shapes (bench/make_shape_model.py).
[models."{NAME}"]
hub_id = "local/{NAME}"
revision = "local"
license = "none"
max_input_tokens = 1024
generation = {{ num_beams = 4, length_penalty = 2.0, max_length = 142, min_length = 56, no_repeat_ngram_size = 3, early_stopping = true }}
"""


def read_corpus(path: Path) -> list[str]:
    """Return article texts from a jsonl (``article`` field) or a text file."""
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line)["article"] for line in handle if line.strip()]
    return [path.read_text(encoding="utf-8")]


def build_tokenizer(
    corpus: list[str], vocab_size: int = 16000, max_length: int = 1024
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE tokenizer with BART's special tokens (also used by the tests)."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=special, show_progress=False
    )
    tokenizer.train_from_iterator(corpus, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
        unk_token="<unk>", mask_token="<mask>", model_max_length=max_length,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/shape-models"))
    default_corpus = Path("../shared/eval/dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument(
        "--ct2", action="store_true", help="also write the CTranslate2 float32 and int8 copies"
    )
    args = parser.parse_args()
    corpus = read_corpus(
        args.corpus if args.corpus.exists() else Path("seeds/000_8dc29571600dcd6e.txt")
    )
    torch.manual_seed(0)
    folder = args.out / NAME
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(corpus)
    # Pad the vocabulary to the model's so converters see matching sizes;
    # the filler tokens never occur in text.
    tokenizer.add_tokens([f"<unused_{i}>" for i in range(SHAPES["vocab_size"] - len(tokenizer))])
    tokenizer.save_pretrained(folder)
    config = BartConfig(
        **SHAPES, pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        forced_bos_token_id=0, forced_eos_token_id=2,
    )  # fmt: skip
    BartForConditionalGeneration(config).save_pretrained(folder)
    (args.out / "manifest.toml").write_text(MANIFEST)
    (folder / ".newsbrief.json").write_text(
        json.dumps({"hub_id": f"local/{NAME}", "revision": "local"})
    )
    params = sum(p.numel() for p in BartForConditionalGeneration(config).parameters())
    print(f"wrote {folder} ({params / 1e6:.0f}M parameters)")
    if args.ct2:
        from service.ct2 import convert
        from service.ct2 import ct2_path

        for weights in ("float32", "int8"):
            target = convert(folder, ct2_path(args.out, NAME, weights), weights)
            print(f"wrote {target} (CTranslate2 {weights})")


if __name__ == "__main__":
    main()
