"""Per-stage time of the request path, against the first release's box in the same run.

    python bench/hotpath.py --data ../shared/eval/val.jsonl [--limit 120] [--repeat 3] [--baseline 8bc0ecb]

In one process, over the same stories, each stage of ``POST /v1/bullets`` and
of the extractive ``POST /v1/summaries`` is timed on its own (what the
pipeline does, step by step, without HTTP):

    parse      json.loads + the request schema (marshmallow)
    normalise  the folded size count (``fold``)
    prepare    cleaning and sentence splitting (``prepare``)
    language   language detection (served languages only)
    candidates profiles, features, scores and compression of every candidate
    select     selection and composing the box
    embed      the extractive summary: MiniLM embedding and selection
    grounds    the article's sentence spans for the checks (``Grounds``)
    check      aligning and judging each returned sentence (box, and summary), with
               the article's word index where a sentence needs it (built lazily)
    serialise  json.dumps of the answer

The first release's box (``prepare`` + ``extract`` at ``--baseline``,
checked out into a temporary git worktree and run in a subprocess with this
interpreter) is timed over the same stories after each of those passes, so
the machine's drift during the run (10-15 % within minutes on the 2-core
machine) touches both sides, and each total is printed as a ratio to it. Medians and p95 are per story, over
``--repeat`` passes. "total, checks off" is its own pass of each route with
checks off (what a server with ``checks: false`` runs); "total less the
checks' stages" is the checked pass less its check and serialise stages.
Numbers only: no assertion on speed anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from percentile import percentile
from worktree import worktree

BASELINE_SCRIPT = """
import json, statistics, sys, time
from service.bullets.extractor import BulletExtractor
from service.text.article import prepare
texts = json.load(sys.stdin)
box = BulletExtractor()
box.extract(prepare(texts[0]))
times = []
for _ in range(int(sys.argv[1])):
    for text in texts:
        started = time.perf_counter()
        box.extract(prepare(text))
        times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""


def baseline_pass(tree: str, texts: list[str]) -> list[float]:
    """Time one pass of the box checked out at ``tree`` over ``texts``, in a subprocess."""
    done = subprocess.run(
        [sys.executable, "-c", BASELINE_SCRIPT, "1"],
        cwd=tree, input=json.dumps(texts), capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": tree},
    )  # fmt: skip
    times: list[float] = json.loads(done.stdout)
    return times


class Stages:
    """Collect per-story milliseconds by stage."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.current: dict[str, float] = {}

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        self.current[name] = self.current.get(name, 0.0) + (time.perf_counter() - started) * 1000
        return result

    def close_story(self) -> None:
        for name, value in self.current.items():
            self.times[name].append(value)
        self.times["total"].append(sum(self.current.values()))
        self.current = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", default="8bc0ecb", help="the first release's commit")
    args = parser.parse_args()

    import torch

    from service.api.v1.schemas import BulletsRequestSchema
    from service.api.v1.schemas import SummaryRequestSchema
    from service.bullets.extractor import BulletExtractor
    from service.checks.embeddings import static_encoder
    from service.checks.grounds import Grounds
    from service.checks.verdict import Checker
    from service.checks.verdict import summary_sentences
    from service.checks.verdict import verdict_json
    from service.engines.base import SummaryParams
    from service.engines.extractive import EmbeddingSummarizer
    from service.settings import Settings
    from service.text.article import prepare
    from service.text.folding import fold
    from service.text.language import detect_language

    with open(args.data, encoding="utf-8") as handle:
        texts = [json.loads(line)["article"] for line in handle if line.strip()][: args.limit]
    settings = Settings.from_env({})
    torch.set_num_threads(settings.effective_torch_threads)
    extractor, checker, encoder = BulletExtractor(), Checker(), static_encoder()
    engine = EmbeddingSummarizer(settings)
    engine.load()
    params = SummaryParams()
    bullets_schema, summary_schema = BulletsRequestSchema(), SummaryRequestSchema()

    def box_request(stages: Stages, body: str, summary: bool, checks: bool = True) -> None:
        schema = summary_schema if summary else bullets_schema
        document = stages.run("parse", lambda: schema.load(json.loads(body)))
        raw = document["text"]
        stages.run("normalise", lambda: len(fold(raw)))
        article = stages.run("prepare", lambda: prepare(raw))
        stages.run("language", lambda: detect_language(article.title + "\n" + article.text))
        units = stages.run("candidates", lambda: extractor.candidates(article))
        box = stages.run(
            "select", lambda: extractor.composed(*extractor.planned(article.words, units))
        )
        bullets, sources = [b.text for b in box], [b.source for b in box]
        answer: dict[str, Any] = {"bullets": bullets}
        if summary:
            (text,) = stages.run("embed", lambda: engine.summarize([article], params))
            answer["summary"] = text.text
        if not checks:
            stages.run("serialise", lambda: json.dumps(answer))
            stages.close_story()
            return
        grounds = stages.run("grounds", lambda: Grounds(article))
        verdicts = {"bullets": stages.run(
            "check", lambda: checker.check(
                article, bullets, encoder=encoder, grounds=grounds, sources=sources
            )
        )}  # fmt: skip
        if summary:
            sentences = summary_sentences(answer["summary"])
            verdicts["summary"] = stages.run(
                "check", lambda: checker.check(article, sentences, encoder=encoder, grounds=grounds)
            )
        judged = {part: verdict_json(v) for part, v in verdicts.items()}
        stages.run("serialise", lambda: json.dumps({**answer, "checks": judged}))
        stages.close_story()

    bodies = [json.dumps({"text": text}) for text in texts]
    results, unchecked = {}, {}
    first: list[float] = []  # a pass of the first release after each of ours: drift touches both
    with worktree(args.baseline) as tree:
        for route, summary in (("/v1/bullets", False), ("/v1/summaries extractive", True)):
            box_request(Stages(), bodies[0], summary)  # warm: regexes, tokenizers, langid
            stages, off = Stages(), Stages()
            for _ in range(args.repeat):
                for body in bodies:
                    box_request(stages, body, summary)
                for body in bodies:
                    box_request(off, body, summary, checks=False)
                first += baseline_pass(tree, texts)
            results[route], unchecked[route] = stages.times, off.times["total"]

    yardstick = statistics.median(first)
    print(
        f"{len(texts)} stories of {args.data} x {args.repeat}; torch threads {torch.get_num_threads()}"
    )
    print(
        f"first release ({args.baseline}) box: median {yardstick:.2f} ms, p95 {percentile(sorted(first), 0.95):.2f} ms"
    )
    order = ("parse", "normalise", "prepare", "language", "candidates", "select", "embed",
             "grounds", "check", "serialise", "total")  # fmt: skip
    for route, times in results.items():
        print(
            f"\n{route}\n| stage | median ms | p95 ms | median / first release |\n|---|---|---|---|"
        )
        for name in order:
            if name not in times:
                continue
            values = sorted(times[name])
            median = statistics.median(values)
            print(
                f"| {name} | {median:.2f} | {percentile(values, 0.95):.2f} | {median / yardstick:.2f}x |"
            )
        # Checks off, as a server with checks off runs it: its own pass. The
        # checked pass less its check stages reads higher: the checks' work
        # evicts the rules' data from the caches between stories.
        less_checks = sorted(
            t - g - c - s
            for t, g, c, s in zip(
                times["total"], times["grounds"], times["check"], times["serialise"], strict=True
            )
        )
        for label, values in (
            ("total, checks off", sorted(unchecked[route])),
            ("total less the checks' stages", less_checks),
        ):
            median = statistics.median(values)
            print(f"| {label} | {median:.2f} | {percentile(values, 0.95):.2f} | "
                  f"{median / yardstick:.2f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
