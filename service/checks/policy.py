"""Check what the service returns and apply ``NEWSBRIEF_UNSUPPORTED`` to it.

``flag`` keeps every sentence and marks the unsupported ones; ``drop``
removes them from the summary and the box; ``fallback`` replaces an
abstractive summary that has an unsupported sentence by the extractive
one, and says so. Each policy reports what it did under ``unsupported``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.checks.grounds import Grounds
from service.checks.verdict import Checker
from service.checks.verdict import Encoder
from service.checks.verdict import Verdict
from service.checks.verdict import summary_sentences
from service.checks.verdict import verdict_json
from service.metrics import CHECKED
from service.metrics import UNSUPPORTED
from service.text.article import Article

FALLBACK_ENGINE = "extractive"
# The extractive summary of the article: (summary text, model name); None when unavailable.
Fallback = Callable[[], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class Review:
    """The checker, its encoder and the policy, for one request."""

    checker: Checker
    encoder: Encoder | None
    policy: str

    def verdict(
        self,
        article: Article,
        sentences: list[str],
        grounds: Grounds,
        sources: Sequence[int | None] | None = None,
    ) -> Verdict:
        """Check sentences against an article's index (``sources``: see ``Checker.check``)."""
        return self.checker.check(
            article, sentences, encoder=self.encoder, grounds=grounds, sources=sources
        )

    def result(
        self,
        article: Article,
        result: dict[str, Any],
        fallback: Fallback | None = None,
        grounds: Grounds | None = None,
        sources: Sequence[int | None] | None = None,
    ) -> dict[str, Any]:
        """Return ``result`` (summary and/or bullets) with checks, after the policy.

        ``sources`` are the bullets' source sentences (``BulletExtractor.box``).
        """
        grounds = grounds or Grounds(article)
        engine = str(result.get("engine", "bullets"))
        checks: dict[str, Any] = {"checker": self.checker.version}
        outcome: dict[str, Any] = {"policy": self.policy, "dropped": [], "fallback_from": None}
        shaped = dict(result)
        if "summary" in result:
            verdict = self.verdict(article, summary_sentences(result["summary"]), grounds)
            wants = (
                self.policy == "fallback" and not verdict.supported and engine != FALLBACK_ENGINE
            )
            replacement = fallback() if wants and fallback else None  # the engine runs only then
            if replacement is not None:
                count(verdict, engine, "summary")
                outcome["fallback_from"] = engine
                shaped["summary"], shaped["model"] = replacement
                shaped["engine"] = engine = FALLBACK_ENGINE
                verdict = self.verdict(article, summary_sentences(replacement[0]), grounds)
            count(verdict, engine, "summary")
            if self.policy == "drop":
                kept = [s.text for s in verdict.sentences if s.supported]
                outcome["dropped"] += dropped(verdict, "summary")
                shaped["summary"] = " ".join(kept)
            checks["summary"] = verdict_json(verdict)
        if "bullets" in result:
            verdict = self.verdict(article, list(result["bullets"]), grounds, sources)
            count(verdict, "bullets", "bullets")
            if self.policy == "drop":
                outcome["dropped"] += dropped(verdict, "bullets")
                shaped["bullets"] = [
                    b
                    for b, s in zip(result["bullets"], verdict.sentences, strict=True)
                    if s.supported
                ]
            checks["bullets"] = verdict_json(verdict)
        return {**shaped, "checks": checks, "unsupported": outcome}


def count(verdict: Verdict, engine: str, part: str) -> None:
    """Count a verdict's checked and unsupported sentences (Prometheus)."""
    CHECKED.labels(engine, part).inc(len(verdict.sentences))
    bad = sum(not s.supported for s in verdict.sentences)
    if bad:
        UNSUPPORTED.labels(engine, part).inc(bad)


def dropped(verdict: Verdict, part: str) -> list[dict[str, Any]]:
    """Describe the sentences a ``drop`` policy removed."""
    return [
        {"part": part, "sentence": s.text, "score": round(s.score, 4)}
        for s in verdict.sentences
        if not s.supported
    ]


def article_json(article: Article, grounds: Grounds | None = None) -> dict[str, Any]:
    """Return the cleaned article the evidence offsets point into, with its sentences."""
    grounds = grounds or Grounds(article)
    return {
        "title": article.title,
        "text": grounds.text,
        "sentences": [{"index": s.index, "start": s.start, "end": s.end} for s in grounds.spans],
    }
