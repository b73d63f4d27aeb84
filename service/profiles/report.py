"""The held-out report of a fit: k folds, each fitted on the others and scored on itself.

For every story of a fold: this profile's box (fitted without that fold),
the ``general`` profile's box and Lead-3, scored with rouge-score
(ROUGE-1/2/Lsum F, stemmed, bullets one a line) against the editors'
bullets, and linted (``service.profiles.lints``).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from rouge_score import rouge_scorer

from service.bullets.extractor import BulletExtractor
from service.bullets.scoring import Selection
from service.profiles.fit import Case
from service.profiles.fit import Progress
from service.profiles.fit import fit_selection
from service.profiles.fit import rescored
from service.profiles.lints import lint
from service.profiles.lints import per_100
from service.profiles.style import DEFAULT_STYLE
from service.profiles.style import HouseStyle

_SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)


class _Tally:
    """ROUGE and lint totals of one row of the table."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}
        self.bullets = 0
        self.lints = {"attributed": 0, "attribution_lost": 0, "dangling": 0, "changed_numbers": 0}

    def add(self, case: Case, box: Sequence[str]) -> None:
        scores = _SCORER.score(case.reference, "\n".join(box))
        for key, values in self.scores.items():
            values.append(scores[key].fmeasure * 100)
        self.bullets += len(box)
        for key, cases in lint(case.article.text, box, case.article).items():
            if key in self.lints:
                self.lints[key] += len(cases)

    def merge(self, other: _Tally) -> None:
        """Add another fold's tally of the same row."""
        for key, values in self.scores.items():
            values.extend(other.scores[key])
        self.bullets += other.bullets
        for key in self.lints:
            self.lints[key] += other.lints[key]

    def row(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **{key: round(statistics.fmean(v), 2) for key, v in self.scores.items() if v},
            "bullets_mean": round(self.bullets / max(len(self.scores["rouge1"]), 1), 2),
            "attribution_lost_pct": per_100(
                self.lints["attribution_lost"], self.lints["attributed"]
            ),
            "dangling_per_100": per_100(self.lints["dangling"], self.bullets),
            "changed_numbers": self.lints["changed_numbers"],
        }


def held_out(
    cases: Sequence[Case], folds: int, general: Selection | None, progress: Progress,
    files: Sequence[str] = (), style: HouseStyle = DEFAULT_STYLE,
) -> dict[str, Any]:  # fmt: skip
    """Return the k-fold table: this profile, ``general`` (unless fitting it), Lead-3.

    With several archive files (``files``, by group) each file gets its own
    rows too: a profile for many newsrooms is judged on each one's copy.
    ``general``'s boxes are cut in its own style, from its own candidates.
    The folds run in parallel, one per core (forked workers), and are
    merged in fold order: the report is the same on one core or many.
    """
    names = ["all", *files] if len(files) > 1 else ["all"]
    tallies = _tallies(names)
    global _JOB  # read by the forked workers: nothing is pickled but each fold's tallies
    _JOB = (cases, folds, general, names, style)
    workers = min(folds, os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            done = pool.map(_fold, range(folds))
            results = []
            for fold, result in enumerate(done):
                results.append(result)
                progress("held-out folds", fold + 1, folds)
    else:
        results = []
        for fold in range(folds):
            results.append(_fold(fold))
            progress("held-out folds", fold + 1, folds)
    _JOB = None
    for result in results:  # in fold order: the same report however many workers ran
        for key, tally in result.items():
            tallies[key].merge(tally)
    rows = [
        tallies[name, row].row()
        for name in names for row in ("this profile", "general", "lead-3")
        if row != "general" or general is not None
    ]  # fmt: skip
    return {"folds": folds, "stories": len(cases), "rows": rows}


_JOB: tuple[Sequence[Case], int, Selection | None, list[str], HouseStyle] | None = None


def _tallies(names: Sequence[str]) -> dict[tuple[str, str], _Tally]:
    return {
        (name, row): _Tally(row if name == "all" else f"{row} ({name})")
        for name in names for row in ("this profile", "general", "lead-3")
    }  # fmt: skip


def _fold(fold: int) -> dict[tuple[str, str], _Tally]:
    """Fit on every fold but ``fold`` and tally the boxes of ``fold``'s stories."""
    assert _JOB is not None
    cases, folds, general, names, style = _JOB
    tallies = _tallies(names)
    train = [c for i, c in enumerate(cases) if i % folds != fold]
    test = [c for i, c in enumerate(cases) if i % folds == fold]
    box = BulletExtractor(selection=fit_selection(train, f"fold-{fold}", style))
    general_box = None if general is None else BulletExtractor(selection=general)
    same_cuts = general is not None and (general.cuts, general.front_attribution) == (
        style.cuts, style.front_attribution,
    )  # fmt: skip
    for case in test:
        boxes = {"this profile": _box(box, case),
                 "lead-3": [s.text for s in case.article.sentences[:3]]}  # fmt: skip
        if general_box is not None:
            boxes["general"] = (
                _box(general_box, case) if same_cuts else general_box.extract(case.article)
            )
        per_file = [names[1 + case.group]] if len(names) > 1 else []
        for name in ("all", *per_file):
            for row, written in boxes.items():
                tallies[name, row].add(case, written)
    return tallies


def _box(box: BulletExtractor, case: Case) -> list[str]:
    units = rescored(box.selection, case.units)
    return [b.text for b in box.composed(*box.planned(case.article.words, units))]


def table(report: dict[str, Any]) -> str:
    """Return the report as a Markdown table."""
    lines = [
        f"held out: {report['stories']} stories in {report['folds']} folds",
        "| | R-1 | R-2 | R-Lsum | bullets | attribution lost % | dangling /100 | changed numbers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        lines.append(
            f"| {row['name']} | {row['rouge1']:.2f} | {row['rouge2']:.2f} | {row['rougeLsum']:.2f} "
            f"| {row['bullets_mean']:.2f} | {row['attribution_lost_pct']:.2f} "
            f"| {row['dangling_per_100']:.2f} | {row['changed_numbers']} |"
        )
    return "\n".join(lines)
