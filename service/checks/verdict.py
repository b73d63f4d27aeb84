"""Check a whole summary (a string or a list of sentences) against one article."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.checks.checker import CheckModel
from service.checks.checker import Finding
from service.checks.checker import SentenceCheck
from service.checks.checker import find
from service.checks.checker import find_cut
from service.checks.checker import find_named_cut
from service.checks.checker import load_model
from service.checks.grounds import Grounds
from service.text.article import Article
from service.text.clean import normalize
from service.text.sentences import split_sentences

# Texts in, one L2-normalised vector per text out (service.checks.embeddings).
Encoder = Callable[[Sequence[str]], Any]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Every sentence's check; a summary is supported only when every sentence is."""

    sentences: tuple[SentenceCheck, ...]
    alignment: str
    model: CheckModel

    @property
    def score(self) -> float:
        """Return the summary's score: mostly its weakest sentence's (1.0 when empty)."""
        return self.model.combine([s.logit for s in self.sentences])

    @property
    def supported(self) -> bool:
        """Tell whether every sentence is supported."""
        return all(s.supported for s in self.sentences)


class Checker:
    """Ground summary sentences in an article with the shipped, fitted model."""

    def __init__(self, model: CheckModel | None = None) -> None:
        """Use ``model`` or the one shipped in the package."""
        self.model = model or load_model()

    @property
    def version(self) -> str:
        """Return the version of the fitted model (its data's hash)."""
        return self.model.version

    def check(
        self,
        article: Article,
        sentences: Sequence[str],
        *,
        encoder: Encoder | None = None,
        grounds: Grounds | None = None,
        sources: Sequence[int | None] | None = None,
    ) -> Verdict:
        """Check each sentence against the article.

        Args:
            article: the cleaned article.
            sentences: the summary's sentences (see ``summary_sentences``).
            encoder: the sentence encoder; without it the words-only model scores.
            grounds: the article's index, to reuse it across summaries.
            sources: per sentence, the article sentence it was cut from, if known
                (the box's bullets): a deletion-only cut is checked against
                that sentence alone (``find_cut``); anything else, and every
                sentence of unknown source, against the whole article.
        """
        grounds = grounds or Grounds(article)
        known = sources or [None] * len(sentences)
        findings = []
        for sentence, source in zip(sentences, known, strict=True):
            span = None if source is None else grounds.source_span(source)
            cut = None if span is None else find_cut(span, sentence)
            if cut is None and span is not None:
                cut = find_named_cut(grounds, span, sentence)  # "Gary Babineau said ..."
            findings.append(cut or find(grounds, sentence))
        distances = dissimilarities(findings, encoder) if encoder and findings else None
        checks = tuple(
            self.model.judge(f, distances[i] if distances else None) for i, f in enumerate(findings)
        )
        return Verdict(checks, "minilm" if distances else "lexical", self.model)


def dissimilarities(findings: Sequence[Finding], encoder: Encoder) -> list[float]:
    """Return 1 - cosine of each sentence and its evidence, in one encoder call.

    A sentence that is its evidence word for word (final stop aside: three in
    four of the box's bullets) is at distance 0 without being encoded.
    """
    evidence = [" ".join(span.text for span in f.evidence) or f.text for f in findings]
    distances = [0.0] * len(findings)
    apart = [i for i, f in enumerate(findings) if f.text.rstrip(". ") != evidence[i].rstrip(". ")]
    if apart:
        vectors = encoder([findings[i].text for i in apart] + [evidence[i] for i in apart])
        for row, i in enumerate(apart):
            distances[i] = 1.0 - float(vectors[row] @ vectors[len(apart) + row])
    return distances


def summary_sentences(summary: str | Sequence[str]) -> list[str]:
    """Split a summary into the sentences to check; a list is taken as its sentences."""
    if isinstance(summary, str):
        lines = [normalize(line).strip() for line in summary.splitlines()]
        return [s for line in lines if line for s in split_sentences(line)]
    return [text for text in (normalize(item).strip() for item in summary) if text]


def sentence_json(check: SentenceCheck) -> dict[str, Any]:
    """Shape one sentence's check for the API."""
    return {
        "sentence": check.text,
        "supported": check.supported,
        "score": round(check.score, 4),
        "evidence": [
            {"sentence": span.index, "start": span.start, "end": span.end, "text": span.text}
            for span in check.evidence
        ],
        "issues": [
            {"type": issue.kind, "start": issue.start, "end": issue.end, "text": issue.text}
            for issue in check.issues
        ],
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """Shape a summary's verdict for the API: overall score and the sentences."""
    return {
        "score": round(verdict.score, 4),
        "supported": verdict.supported,
        "alignment": verdict.alignment,
        "sentences": [sentence_json(s) for s in verdict.sentences],
    }
