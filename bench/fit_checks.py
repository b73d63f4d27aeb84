"""Fit the checker's weights on human-labelled summaries; write service/checks/model.json.

    python bench/fit_checks.py --data-dir ../shared/eval/factuality [--out service/checks/model.json]

Each benchmark file holds {id, article, summary, label} rows (1 = people found
the summary consistent with its article). Every summary sentence is
grounded exactly as the service does it (``service.checks.checker.find`` and
the MiniLM word-piece cosine of ``service.checks.embeddings``); a summary is described by
the worst value of each signal over its sentences. Two logistic regressions
(one with the MiniLM cosine, one on words alone) are fitted with every
benchmark weighted equally; the penalty of a hard issue (a number, date,
name, quote or polarity the article does not state) and the flag threshold
and the share of the weakest sentence in a summary's score (the rest is
the sentences' mean) are then chosen on a small grid by the mean AUC over
the benchmarks, and the flag threshold by their mean balanced accuracy,
scoring summaries exactly as the service does. Leave-one-benchmark-out AUCs are printed beside the
in-sample ones, so over-fitting shows. Deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import pickle
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.checks.checker import ALIGNMENTS
from service.checks.checker import ATTRIBUTION_PENALTY
from service.checks.checker import SIGNALS
from service.checks.checker import find
from service.checks.embeddings import static_encoder
from service.checks.grounds import Grounds
from service.checks.verdict import dissimilarities
from service.checks.verdict import summary_sentences
from service.text.article import prepare

RIDGE = 1.0
MIL_ROUNDS = 3
PENALTY_GRID = (0.0, 1.0, 2.0, 3.0, 4.0)
SHARE_GRID = tuple(round(0.1 * i, 1) for i in range(11))
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled summary: its sentences' signals and hard-issue flags."""

    benchmark: str
    label: int
    signals: np.ndarray  # sentences x SIGNALS
    hard: np.ndarray  # sentences
    copied: np.ndarray  # sentences
    unattributed: np.ndarray  # sentences


def load_rows(data_dir: str, limit: int | None, encoder: object | None) -> tuple[list[Row], str]:
    """Ground every summary of every benchmark file; return the rows and the data's hash."""
    digest = hashlib.sha256()
    rows: list[Row] = []
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(data_dir, name), "rb") as handle:
            raw = handle.read()
        digest.update(raw)
        lines = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
        grounds: dict[str, Grounds] = {}
        for item in lines[:limit]:
            article = item["article"]
            if article not in grounds:
                grounds[article] = Grounds(prepare(article))
            sentences = summary_sentences(item["summary"]) or [item["summary"]]
            findings = [find(grounds[article], s) for s in sentences]
            far = dissimilarities(findings, encoder) if encoder else [0.0] * len(findings)
            signals = np.asarray([(*f.signals, d) for f, d in zip(findings, far, strict=True)])
            hard = np.asarray([float(f.hard) for f in findings])
            copied = np.asarray([f.copied for f in findings])
            unattributed = np.asarray([float(f.unattributed) for f in findings])
            rows.append(
                Row(name[: -len(".jsonl")], int(item["label"]), signals, hard, copied, unattributed)
            )
    return rows, digest.hexdigest()[:12]


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Fit a ridge logistic regression by Newton steps; return [bias, *weights]."""
    design = np.hstack([np.ones((len(x), 1)), x])
    theta = np.zeros(design.shape[1])
    ridge = np.eye(design.shape[1]) * RIDGE
    ridge[0, 0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (weight * (p - y)) + ridge @ theta
        hessian = design.T @ (design * (weight * p * (1 - p))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return theta


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Return ROC AUC with ties averaged (as ``factuality.py`` computes it)."""
    pairs = sorted(zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return math.nan
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def sentence_logits(row: Row, theta: np.ndarray, columns: list[int], penalty: float) -> np.ndarray:
    """Return each sentence's support logit, as ``CheckModel.logit`` computes it."""
    result: np.ndarray = theta[0] + row.signals[:, columns] @ theta[1:] - penalty * row.hard
    result -= ATTRIBUTION_PENALTY * row.unattributed
    return result


def summary_score(
    row: Row, theta: np.ndarray, columns: list[int], penalty: float, share: float = 1.0
) -> float:
    """Score a summary as ``CheckModel.combine`` does: weakest sentence and mean, blended."""
    logits = sentence_logits(row, theta, columns, penalty)
    value = share * logits.min() + (1 - share) * logits.mean()
    return float(1.0 / (1.0 + np.exp(-value)))


def flagged(row: Row, theta: np.ndarray, columns: list[int], penalty: float, cut: float) -> bool:
    """Tell whether the service would flag the summary (a weak or a hard sentence).

    As ``CheckModel.judge``: a weak sentence is not flagged when it is a copy
    or a deletion-only compression of an article sentence.
    """
    scores = 1.0 / (1.0 + np.exp(-sentence_logits(row, theta, columns, penalty)))
    weak = (scores < cut) & ~row.copied
    return bool(weak.any() or row.hard.any())


def balanced_accuracy(rows: Sequence[Row], flags: Sequence[bool]) -> float:
    """Return the mean of the recalls on inconsistent and on consistent summaries."""
    bad = [r.label == 0 for r in rows]
    caught = sum(f and b for f, b in zip(flags, bad, strict=True)) / max(sum(bad), 1)
    passed = sum((not f) and (not b) for f, b in zip(flags, bad, strict=True))
    return (caught + passed / max(len(rows) - sum(bad), 1)) / 2


def fit(rows: Sequence[Row], columns: list[int]) -> np.ndarray:
    """Fit the sentence model that scores a summary by its weakest sentence.

    A start on the worst value of each signal per summary, then a few
    rounds of multiple-instance refits: each summary is represented by the
    sentence the current model finds weakest, as the service will judge it.
    Benchmarks weigh equally.
    """
    y = np.asarray([float(r.label) for r in rows])
    sizes = {b: sum(r.benchmark == b for r in rows) for b in {r.benchmark for r in rows}}
    weight = np.asarray([len(rows) / len(sizes) / sizes[r.benchmark] for r in rows])
    theta = fit_logistic(np.asarray([r.signals[:, columns].max(axis=0) for r in rows]), y, weight)
    for _ in range(MIL_ROUNDS):
        weakest = [
            r.signals[int(np.argmin(r.signals[:, columns] @ theta[1:])), columns] for r in rows
        ]
        theta = fit_logistic(np.asarray(weakest), y, weight)
    return theta


def by_benchmark(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Group rows by benchmark, in name order."""
    groups: dict[str, list[Row]] = {}
    for row in sorted(rows, key=lambda r: r.benchmark):
        groups.setdefault(row.benchmark, []).append(row)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", default="service/checks/model.json")
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows per file")
    parser.add_argument("--no-encoder", action="store_true", help="fit the words-only model alone")
    parser.add_argument("--cache", help="keep the grounded rows in this pickle (refits in seconds)")
    args = parser.parse_args()
    if args.cache and os.path.exists(args.cache):
        with open(args.cache, "rb") as handle:
            rows, data_hash, encoded = pickle.load(handle)  # noqa: S301 - our own file
        refit(rows, data_hash, encoded, args.out)
        return
    encoder = None if args.no_encoder else static_encoder()
    rows, data_hash = load_rows(args.data_dir, args.limit, encoder)
    if args.cache:
        with open(args.cache, "wb") as handle:
            pickle.dump((rows, data_hash, encoder is not None), handle)
    refit(rows, data_hash, encoder is not None, args.out)


def refit(rows: list[Row], data_hash: str, encoded: bool, out: str) -> None:
    """Fit both models, choose the penalty and threshold, print the figures, write the file."""
    groups = by_benchmark(rows)
    models: dict[str, dict[str, object]] = {}
    thetas: dict[str, np.ndarray] = {}
    for alignment in ALIGNMENTS:
        columns = list(range(len(SIGNALS) if alignment == "minilm" else len(SIGNALS) - 1))
        theta = fit(rows, columns)
        thetas[alignment] = theta
        weights = {name: 0.0 for name in SIGNALS}
        weights.update(
            {SIGNALS[c]: round(float(w), 4) for c, w in zip(columns, theta[1:], strict=True)}
        )
        models[alignment] = {"bias": round(float(theta[0]), 4), "weights": weights}
    primary = "minilm" if encoded else "lexical"
    columns = list(range(len(SIGNALS) if primary == "minilm" else len(SIGNALS) - 1))
    theta = thetas[primary]

    def mean_auc(penalty: float, share: float) -> float:
        return statistics.fmean(
            auc([summary_score(r, theta, columns, penalty, share) for r in g], [r.label for r in g])
            for g in groups.values()
        )

    penalty, share = max(
        itertools.product(PENALTY_GRID, SHARE_GRID),
        key=lambda ps: (round(mean_auc(*ps), 4), -ps[0], ps[1]),
    )

    def mean_bacc(cut: float) -> float:
        return statistics.fmean(
            balanced_accuracy(g, [flagged(r, theta, columns, penalty, cut) for r in g])
            for g in groups.values()
        )

    cut = max(THRESHOLD_GRID, key=lambda c: (round(mean_bacc(c), 4), -c))
    print(
        f"rows {len(rows)}  penalty {penalty}  weakest share {share}  threshold {cut}  ({primary})"
    )
    print(f"{'benchmark':16} {'AUC':>6} {'LOO AUC':>8} {'BAcc':>6}  words-only AUC")
    for name, group in groups.items():
        labels = [r.label for r in group]
        held_out = fit([r for r in rows if r.benchmark != name], columns)
        lexical = list(range(len(SIGNALS) - 1))
        print(
            f"{name:16} {auc([summary_score(r, theta, columns, penalty, share) for r in group], labels):6.3f}"
            f" {auc([summary_score(r, held_out, columns, penalty, share) for r in group], labels):8.3f}"
            f" {balanced_accuracy(group, [flagged(r, theta, columns, penalty, cut) for r in group]):6.3f}"
            f"  {auc([summary_score(r, thetas['lexical'], lexical, penalty, share) for r in group], labels):6.3f}"
        )  # fmt: skip
    fitted = json.dumps([models, penalty, share, cut, ATTRIBUTION_PENALTY], sort_keys=True).encode()
    output = {
        # The data's hash and the fitted numbers' own: a refit after a code change shows.
        "version": f"1+factuality.{data_hash}.{hashlib.sha256(fitted).hexdigest()[:8]}",
        "fitted_on": sorted(groups),
        "hard_penalty": penalty,
        "weakest_share": share,
        "threshold": cut,
        "attribution_penalty": ATTRIBUTION_PENALTY,  # policy, not fitted (checker.py)
        "models": models,
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(output, handle, indent=1)
        handle.write("\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
