"""Bullets engine: the "What You Need To Know" box, read as a summary."""

from __future__ import annotations

from collections.abc import Sequence

from service.bullets.extractor import BulletExtractor
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.text.article import Article


class BulletsSummarizer(Summarizer):
    """Summarise by joining the rule-based bullets into sentences (no model)."""

    name = "bullets"

    def __init__(self, extractor: BulletExtractor | None = None) -> None:
        """Use the given extractor, or one that ends bullets with a period."""
        super().__init__()
        self.extractor = extractor or BulletExtractor(punctuation="period")

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Return each article's bullets as one paragraph within ``max_words``."""
        results = []
        for article in articles:
            kept: list[str] = []
            for bullet in self.extractor.extract(article):
                if kept and len(" ".join([*kept, bullet]).split()) > params.max_words:
                    break
                kept.append(bullet)
            results.append(Summary(" ".join(kept)))
        return results
