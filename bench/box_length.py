"""How much of the box's ROUGE is its length: scores by bullet count, and the oracle ceiling.

    python bench/box_length.py ../shared/eval/train.jsonl ../shared/eval/val.jsonl ../shared/eval/bbc.jsonl

For each file: the references' size (highlights and words), then the shipped
box (shipped weights, the count from ``bullet_count``) and the same selection
forced to 3, 4 and 5 bullets, then a greedy ROUGE-1+2 oracle over the same
candidates (the ceiling of selection with these candidates). Prints
R-1 / R-Lsum and mean box words. Nothing is fitted here.

``--fourth Q,Q,...``: boxes of three bullets that take a fourth only when its
selection value (``BulletExtractor.value``) reaches the Q-quantile of the
fourth picks' values in the *first* file (give train.jsonl first: only it
may set a threshold). Shows what a value threshold on the count could do,
and the share of boxes that get four.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).parent))

from fit_bullets import oracle_labels  # noqa: E402

from service.bullets.extractor import BulletExtractor  # noqa: E402
from service.bullets.extractor import Unit  # noqa: E402
from service.bullets.extractor import bullet_count  # noqa: E402
from service.text.article import Article  # noqa: E402
from service.text.article import prepare  # noqa: E402

Box = Callable[[Article, Sequence[Unit], str], list[str]]


def _report(label: str, boxes: list[list[str]], references: list[str]) -> None:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeLsum"], use_stemmer=True)
    scores = [scorer.score(r, "\n".join(b)) for b, r in zip(boxes, references, strict=True)]
    r1 = statistics.fmean(s["rouge1"].fmeasure * 100 for s in scores)
    rl = statistics.fmean(s["rougeLsum"].fmeasure * 100 for s in scores)
    words = statistics.fmean(sum(len(x.split()) for x in b) for b in boxes)
    print(f"  {label:14} R-1 {r1:6.2f}  R-Lsum {rl:6.2f}  words {words:5.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--fourth", default="", help="quantiles, e.g. 0.25,0.5,0.79")
    args = parser.parse_args()
    extractor = BulletExtractor()
    quantiles = [float(q) for q in args.fourth.split(",") if q]
    thresholds: list[float] = []
    for path in args.files:
        with open(path, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        highlights = [r.get("reference_bullets") or [r["reference"]] for r in rows]
        references = ["\n".join(h) for h in highlights]
        articles = [prepare(r["article"], title=r.get("title") or "") for r in rows]
        pools = [extractor.candidates(a) for a in articles]
        words = statistics.fmean(sum(len(x.split()) for x in h) for h in highlights)
        print(f"{path}: {len(rows)} rows, references "
              f"{statistics.fmean(map(len, highlights)):.2f} highlights, {words:.1f} words")  # fmt: skip
        boxes: dict[str, Box] = {
            "shipped": lambda a, u, r: extractor.compose(u, bullet_count(a.words, len(u))),
            **{
                f"{n} bullets": lambda a, u, r, n=n: extractor.compose(
                    u, n if a.words >= 60 else bullet_count(a.words, len(u))
                )
                for n in (3, 4, 5)
            },
            "oracle": lambda a, u, r: [
                x.text for x, chosen in zip(u, oracle_labels(u, r), strict=True) if chosen
            ],
        }
        for label, box in boxes.items():
            made = [box(a, u, r) for a, u, r in zip(articles, pools, references, strict=True)]
            _report(label, made, references)
        if not quantiles:
            continue
        shipped = [bullet_count(a.words, len(u)) for a, u in zip(articles, pools, strict=True)]
        values = [_fourth_value(extractor, u) if n == 4 else None
                  for u, n in zip(pools, shipped, strict=True)]  # fmt: skip
        if not thresholds:  # the first file sets them
            seen = sorted(v for v in values if v is not None)
            thresholds = [seen[min(int(q * len(seen)), len(seen) - 1)] for q in quantiles]
        for q, threshold in zip(quantiles, thresholds, strict=True):
            counts = [n if v is None else 4 if v >= threshold else 3
                      for n, v in zip(shipped, values, strict=True)]  # fmt: skip
            made = [extractor.compose(u, n) for u, n in zip(pools, counts, strict=True)]
            share = sum(v is not None and v >= threshold for v in values) / len(values)
            _report(f"4th>=q{q} ({share:.0%})", made, references)


def _fourth_value(extractor: BulletExtractor, units: Sequence[Unit]) -> float | None:
    """Return the selection value of the fourth pick after the first three, if there is one."""
    four = extractor.select(units, 4)
    return extractor.value(four[3], four[:3]) if len(four) == 4 else None


if __name__ == "__main__":
    main()
