"""Build tiny seq2seq models offline: a trained BART and a random T5.

The BART gets a byte-level BPE tokenizer trained on synthetic news and a few
seconds of training on "article -> lead sentence" pairs, so greedy output is
meaningful and deterministic. Nothing is downloaded.
"""

from __future__ import annotations

import json
import random
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
from transformers import T5Config
from transformers import T5ForConditionalGeneration

from bench.make_shape_model import build_tokenizer

MAX_POSITIONS = 64
CITIES = ["Riverton", "Lakeside", "Hillview", "Brookfield", "Stonebridge", "Maplewood"]
BODIES = ["council", "court", "school board", "hospital", "police force", "university"]
ACTIONS = [
    "approved a new budget",
    "opened a new bridge",
    "closed the old market",
    "hired a new chief",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
FILLER = [
    "Residents gathered outside the building during the meeting.",
    "The decision followed months of public debate and several reports.",
    "Officials expect the work to be finished within two years.",
    "Local business owners said they welcomed the news.",
    "The plan will be reviewed again at the end of the year.",
    "Critics argued that the cost was too high for a small town.",
]


def make_story(rng: random.Random) -> tuple[str, str]:
    """Return (article, lead sentence) of a synthetic local-news story."""
    lead = f"The {rng.choice(CITIES)} {rng.choice(BODIES)} {rng.choice(ACTIONS)} on {rng.choice(DAYS)}."
    body = rng.sample(FILLER, 3)
    return " ".join([lead, *body]), lead


def build_bart(folder: Path, seed_text: str, *, steps: int = 150) -> None:
    """Train and save a tiny BART that learns to copy the lead sentence."""
    rng = random.Random(0)
    torch.manual_seed(0)
    stories = [make_story(rng) for _ in range(64)]
    corpus = [a for a, _ in stories] + [seed_text] * 3
    tokenizer = build_tokenizer(corpus, vocab_size=400, max_length=MAX_POSITIONS)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=64, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=128,
        decoder_ffn_dim=128, max_position_embeddings=MAX_POSITIONS, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2,
    )  # fmt: skip
    model = BartForConditionalGeneration(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(steps):
        batch = stories[(step * 8) % 64 : (step * 8) % 64 + 8]
        inputs = tokenizer(
            [a for a, _ in batch], return_tensors="pt", padding=True, truncation=True
        )
        labels = tokenizer([lead for _, lead in batch], return_tensors="pt", padding=True)[
            "input_ids"
        ]
        labels[labels == tokenizer.pad_token_id] = -100
        loss = model(**inputs, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    model.generation_config.max_length = 32
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def build_t5(folder: Path) -> None:
    """Save a random tiny T5 with a unigram tokenizer (exercises the T5 path)."""
    rng = random.Random(1)
    torch.manual_seed(1)
    corpus = [make_story(rng)[0] for _ in range(64)]
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=300, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>",
        show_progress=False,
    )  # fmt: skip
    tokenizer.train_from_iterator(corpus, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", 1)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, eos_token="</s>", pad_token="<pad>", unk_token="<unk>",
        model_max_length=MAX_POSITIONS,
    )  # fmt: skip
    config = T5Config(
        vocab_size=len(fast), d_model=32, d_kv=16, d_ff=64, num_layers=1, num_decoder_layers=1,
        num_heads=2, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )  # fmt: skip
    T5ForConditionalGeneration(config).save_pretrained(folder)
    fast.save_pretrained(folder)


def write_manifest(root: Path) -> None:
    """Write a manifest naming the tiny models, as ``models/manifest.toml`` does."""
    greedy = "{ num_beams = 1, max_length = 32, min_length = 4 }"
    root.joinpath("manifest.toml").write_text(
        f"""
[models."tiny-bart"]
hub_id = "local/tiny-bart"
revision = "{"a" * 40}"
license = "apache-2.0"
max_input_tokens = {MAX_POSITIONS}
generation = {greedy}

[models."tiny-t5"]
hub_id = "local/tiny-t5"
revision = "main"
license = "apache-2.0"
max_input_tokens = {MAX_POSITIONS}
generation = {greedy}
"""
    )
    for name, revision in (("tiny-bart", "a" * 40), ("tiny-t5", "main")):
        stamp = {"hub_id": f"local/{name}", "revision": revision}
        root.joinpath(name, ".newsbrief.json").write_text(json.dumps(stamp))
