"""Time the checker per summary: index the article, ground each sentence, score.

    python bench/checks.py --data ../shared/eval/val.jsonl [--words 450-750] [--limit 200]

For articles in the word range (600-word stories by default), the editors'
reference highlights are checked as one summary, with the MiniLM word-piece
alignment (as served), with words alone, and, for reference, with the full
MiniLM network (mean-pooled last layer, what the alignment would cost if it
ran the encoder).
Prints median and p95 milliseconds per summary. The time includes building
the article's index (``Grounds``), which a request pays once; cleaning the
article (``prepare``) is shared with summarising and is excluded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from percentile import percentile

from service.checks.embeddings import static_encoder
from service.checks.grounds import Grounds
from service.checks.verdict import Checker
from service.checks.verdict import summary_sentences
from service.engines.extractive import EmbeddingSummarizer
from service.settings import Settings
from service.text.article import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--words", default="450-750", help="article length range in words")
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    low, high = (int(x) for x in args.words.split("-"))
    with open(args.data, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    items = []
    for row in rows:
        article = prepare(row["article"])
        if low <= article.words <= high:
            summary = row.get("reference_bullets") or summary_sentences(row["reference"])
            items.append((article, list(summary)))
    items = items[: args.limit]
    settings = Settings.from_env({})
    torch.set_num_threads(settings.effective_torch_threads)
    engine = EmbeddingSummarizer(settings)
    engine.load()
    checker = Checker()
    print(f"{len(items)} articles of {low}-{high} words, torch threads {torch.get_num_threads()}")
    encoders = (("minilm", static_encoder()), ("lexical", None), ("network", engine.embed))
    for name, encoder in encoders:
        for article, summary in items[:5]:  # warm caches (stemmer, tokenizer)
            checker.check(article, summary, encoder=encoder)
        times = []
        for article, summary in items:
            started = time.perf_counter()
            checker.check(article, summary, encoder=encoder, grounds=Grounds(article))
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = percentile(times, 0.95)
        print(f"{name:8} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms per summary")


if __name__ == "__main__":
    main()
