"""Lead engine: the article's first sentences, the classic news baseline."""

from __future__ import annotations

from collections.abc import Sequence

from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.text.article import Article
from service.text.sentences import Sentence


def take_within(sentences: Sequence[Sentence], max_words: int) -> list[Sentence]:
    """Return sentences in order until the word budget is spent (at least one)."""
    taken: list[Sentence] = []
    used = 0
    for sentence in sentences:
        if taken and used + sentence.words > max_words:
            break
        taken.append(sentence)
        used += sentence.words
    return taken


class LeadSummarizer(Summarizer):
    """Summarise by the first sentences that are reporting, not captions."""

    name = "lead"

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Return the lead of each article within ``params.max_words``."""
        results = []
        for article in articles:
            prose = [s for s in article.sentences if not s.is_caption] or list(article.sentences)
            taken = take_within(prose, params.max_words)
            results.append(Summary(" ".join(s.text for s in taken)))
        return results
