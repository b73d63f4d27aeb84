"""Time the bullet extractor per article over a jsonl of articles (one process).

    python bench/bullets.py --data ../shared/eval/dev.jsonl [--repeat 3]

Prints median and p95 milliseconds per article for text preparation plus
extraction, i.e. what ``POST /v1/bullets`` spends outside HTTP.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from percentile import percentile

from service.bullets.extractor import BulletExtractor
from service.text.article import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        articles = [json.loads(line)["article"] for line in handle if line.strip()]
    extractor = BulletExtractor()
    extractor.extract(prepare(articles[0]))  # import and regex compilation out of the timing
    timings = []
    for _ in range(args.repeat):
        for text in articles:
            started = time.perf_counter()
            extractor.extract(prepare(text))
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"machine      {platform.machine()} {platform.processor() or ''} python {platform.python_version()}"
    )
    print(f"articles     {len(articles)} x {args.repeat}")
    print(f"median_ms    {statistics.median(timings):.2f}")
    print(f"p95_ms       {percentile(timings, 0.95):.2f}")
    print(f"max_ms       {timings[-1]:.2f}")


if __name__ == "__main__":
    main()
