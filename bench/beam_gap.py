"""Why CTranslate2's beams differ from torch's: float ties, or another search?

    python bench/make_shape_model.py --ct2
    python bench/beam_gap.py --articles 30          # about 9 min on 2 cores
    python bench/beam_gap.py --model bench/small-models/small-bart --data ../shared/eval/val.jsonl --articles 20

Runs ``bench/lossless.py``'s torch (eager) and CTranslate2 float32 paths
with the card's 4 beams, 60 fixed tokens, and for every article whose
tokens differ prints where they part and the log-probability torch itself
gives each output (teacher-forced after the decoder start token). Equal
log-probabilities would mean float near-ties; a clear gap means the two
beam searches keep different candidates. Approximate: both paths' outputs
are compared without special tokens, as in lossless.py.

For each such article it then runs torch's beam search once more with one
change, CTranslate2's order of operations: tokens that the minimum length
or the no-repeat rule forbids are removed *before* the softmax, so the
allowed tokens' log-probabilities are renormalised (transformers removes
them after it, leaving the beams' scores unnormalised). If that output is
CTranslate2's, the order is the whole difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from transformers import LogitsProcessor
from transformers import LogitsProcessorList

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lossless  # noqa: E402


def log_probability(model: torch.nn.Module, ids: list[int], out: list[int]) -> float:
    """Return torch's log-probability of ``out`` given the article ``ids``."""
    decoder = [model.config.decoder_start_token_id, *out]
    with torch.inference_mode():
        logits = model(
            input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([decoder[:-1]])
        ).logits[0]
    scores = torch.log_softmax(logits.float(), -1)
    return float(sum(scores[i, t] for i, t in enumerate(decoder[1:])))


class Renormalise(LogitsProcessor):  # type: ignore[misc]
    """Run last: the softmax over the tokens the other processors left allowed."""

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(scores, dim=-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/eval/dev.jsonl"))
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, default=lossless.MODEL)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
    model = lossless.torch_model(args.model, "eager")
    run_torch = lossless.torch_path(args.model, "eager", lossless.special_ids(tokenizer), model)
    renormalise = LogitsProcessorList([Renormalise()])
    run_ct2 = lossless.ct2_run(args.model, tokenizer, args.threads)
    beams = lossless.DECODINGS["beam4"]
    texts = lossless.articles(args.data, args.articles)
    differ = 0
    for number, text in enumerate(texts):
        ids = lossless.encode(tokenizer, text)
        ours, theirs = run_torch(ids, beams), run_ct2(ids, beams)
        if ours == theirs:
            continue
        differ += 1
        first = next(
            (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), len(ours)
        )
        print(
            f"article {number}: part at token {first} of {len(ours)}; torch log-prob of "
            f"torch's beam {log_probability(model, ids, ours):.3f}, of CTranslate2's "
            f"{log_probability(model, ids, theirs):.3f}",
            flush=True,
        )
        renormalised = run_torch(ids, beams, logits_processor=renormalise)
        same = "equals" if renormalised == theirs else "does NOT equal"
        print(f"  torch with forbidden tokens removed before the softmax {same} CTranslate2's")
    print(f"{differ} of {len(texts)} articles differ")


if __name__ == "__main__":
    main()
