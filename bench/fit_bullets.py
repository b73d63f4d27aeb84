"""Fit the box's selection weights on train.jsonl and write service/bullets/weights.json.

    python bench/fit_bullets.py --data ../shared/eval/train.jsonl [--out service/bullets/weights.json]

Every candidate bullet (a shortened sentence or clause, exactly as the
extractor builds it) is labelled 1 when a greedy ROUGE-1+2 oracle would put
it in a four-bullet box against the editors' highlights, else 0; labels are
centred per article so that only the ranking inside an article is learnt.
A ridge regression on the named features gives the weights; the MMR
redundancy and the brevity penalty are then chosen by the box's ROUGE on the
same training file. Deterministic: the same data gives the
same file. Only train.jsonl may be fitted on; report val/bbc separately
with ``newsbrief eval``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from rouge_score import rouge_scorer
from rouge_score import tokenizers

from service.bullets.extractor import DEFAULT_BULLETS
from service.bullets.extractor import MAX_WORDS
from service.bullets.extractor import BulletExtractor
from service.bullets.extractor import Unit
from service.bullets.extractor import bullet_count
from service.bullets.scoring import FEATURES
from service.bullets.scoring import Selection
from service.text.article import prepare

RIDGE = 1.0
# In units of the fitted score, whose spread inside an article is about 0.1.
REDUNDANCY_GRID = (0.0, 0.05, 0.1)
BREVITY_GRID = (0.05, 0.1, 0.15, 0.2)


_TOKENIZER = tokenizers.DefaultTokenizer(use_stemmer=True)


def _grams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def oracle_labels(units: Sequence[Unit], reference: str) -> list[float]:
    """Label the candidates a greedy ROUGE-1+2 oracle would put in the box (1) or not (0)."""
    ref_tokens = _TOKENIZER.tokenize(reference)
    refs = (_grams(ref_tokens, 1), _grams(ref_tokens, 2))
    tokens = [_TOKENIZER.tokenize(u.text) for u in units]
    chosen: list[int] = []
    best_value = 0.0
    while len(chosen) < DEFAULT_BULLETS:
        best = -1
        for i in range(len(units)):
            if i in chosen:
                continue
            joined = [t for j in (*chosen, i) for t in tokens[j]]
            value = _f1(_grams(joined, 1), refs[0]) + _f1(_grams(joined, 2), refs[1])
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
    return [float(i in chosen) for i in range(len(units))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", default="service/bullets/weights.json")
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows")
    args = parser.parse_args()
    with open(args.data, "rb") as handle:
        raw = handle.read()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    rows = rows[: args.limit]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    articles = [prepare(r["article"], title=r.get("title") or "") for r in rows]
    references = ["\n".join(r.get("reference_bullets") or [r["reference"]]) for r in rows]

    extractor = BulletExtractor()
    pools = [extractor.candidates(article) for article in articles]
    features, targets = [], []
    for units, reference in zip(pools, references, strict=True):
        if len(units) < 2:
            continue
        values = oracle_labels(units, reference)
        mean = statistics.fmean(values)
        features.extend(unit.features for unit in units)
        targets.extend(v - mean for v in values)
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    weights = np.linalg.solve(x.T @ x + RIDGE * np.eye(x.shape[1]), x.T @ y)
    fitted = dict(zip(FEATURES, (round(float(w), 4) for w in weights), strict=True))
    explained = 1 - float(((x @ weights - y) ** 2).sum() / (y**2).sum())
    print(f"candidates {len(y)}  articles {len(articles)}  R^2 within article {explained:.3f}")
    for name, value in fitted.items():
        print(f"  {name:18} {value:+.4f}")

    # The selection knobs are chosen by the whole box's ROUGE on the same file.
    scored = [
        [replace(u, score=float(np.dot(weights, u.features))) for u in units] for units in pools
    ]
    best: tuple[float, float, float] | None = None
    for redundancy, brevity in itertools.product(REDUNDANCY_GRID, BREVITY_GRID):
        box = BulletExtractor(
            selection=Selection("fit", fitted, 0.0, redundancy, brevity, MAX_WORDS)
        )
        r1, rl = [], []
        for article, units, reference in zip(articles, scored, references, strict=True):
            bullets = box.compose(units, bullet_count(article.words, len(units)))
            scores = scorer.score(reference, "\n".join(bullets))
            r1.append(scores["rouge1"].fmeasure * 100)
            rl.append(scores["rougeLsum"].fmeasure * 100)
        total = statistics.fmean(r1) + statistics.fmean(rl)
        print(
            f"redundancy {redundancy:5}  brevity {brevity:5}  "
            f"train R-1 {statistics.fmean(r1):.2f}  R-Lsum {statistics.fmean(rl):.2f}"
        )
        if best is None or total > best[0] + 1e-9:
            best = (total, redundancy, brevity)
    assert best is not None
    output = {
        "version": "1+train." + hashlib.sha256(raw).hexdigest()[:12],
        "fitted_on": args.data.rsplit("/", 1)[-1],
        "bias": 0.0,
        "redundancy": best[1],
        "brevity": best[2],
        "max_words": MAX_WORDS,
        "weights": fitted,
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(output, handle, indent=1)
        handle.write("\n")
    print(f"wrote {args.out}: redundancy {best[1]}, brevity {best[2]}")


if __name__ == "__main__":
    main()
