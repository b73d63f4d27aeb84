"""Prepare one request's input (text or HTML, optional title) as an Article."""

from __future__ import annotations

from dataclasses import dataclass

from service.text.clean import clean_article
from service.text.clean import normalize
from service.text.html import html_to_text
from service.text.sentences import Sentence
from service.text.sentences import sentences_of


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: title, paragraphs and sentences, plus its raw size."""

    title: str
    paragraphs: tuple[str, ...]
    sentences: tuple[Sentence, ...]
    input_chars: int
    language: str = "en"

    @property
    def text(self) -> str:
        """Return the cleaned body, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        """Return the number of words in the cleaned body."""
        return sum(len(p.split()) for p in self.paragraphs)


def prepare(text: str | None = None, *, html: str | None = None, title: str = "") -> Article:
    """Build an Article from plain text or HTML (exactly one of them)."""
    if (text is None) == (html is None):
        raise ValueError("give exactly one of text or html")
    raw = html if html is not None else text
    assert raw is not None
    body = raw
    if html is not None:
        page = html_to_text(raw)
        body, title = page.text, title or page.title  # the h1 is the headline, not body
    paragraphs = clean_article(body)
    return Article(
        title=" ".join(normalize(title).split()),
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences_of(paragraphs)),
        input_chars=len(raw),
    )
