"""Time the extractive engine per article (text preparation included), one process.

    python bench/extractive.py --data ../shared/eval/val.jsonl

Prints p50/p95 milliseconds over the file's articles, then the time for one
150 KB and one 199 KB article (the file's articles joined, under the
200,000-character limit): the cost is bounded by the candidate cap, not by
the article's length.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

from percentile import percentile

from service.engines.base import SummaryParams
from service.engines.extractive import EmbeddingSummarizer
from service.settings import Settings
from service.text.article import prepare


def timed(engine: EmbeddingSummarizer, text: str) -> float:
    started = time.perf_counter()
    engine.summarize([prepare(text)], SummaryParams())
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        articles = [json.loads(line)["article"] for line in handle if line.strip()]
    engine = EmbeddingSummarizer(Settings.from_env({"NEWSBRIEF_WORKERS": "1"}))
    engine.load()
    timed(engine, articles[0])
    timings = sorted(timed(engine, text) for text in articles)
    print(
        f"machine      {platform.machine()} cores {os.cpu_count()} python {platform.python_version()}"
    )
    print(f"articles     {len(articles)}")
    print(f"p50_ms       {statistics.median(timings):.1f}")
    print(f"p95_ms       {percentile(timings, 0.95):.1f}")
    print(f"max_ms       {timings[-1]:.1f}")
    joined = "\n\n".join(articles)
    for size in (150_000, 199_000):
        print(f"{size // 1000}kB_ms     {timed(engine, joined[:size]):.1f}")


if __name__ == "__main__":
    main()
