"""Index an article once so that any number of summary sentences can be checked fast."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from service.checks import facts
from service.text.article import Article
from service.text.attribution import is_attributed
from service.text.attribution import routine_tail
from service.text.sentences import SENTENCE_END

LONG_SENTENCE = 400
_SENTENCE_END = SENTENCE_END


@dataclass(frozen=True, slots=True)
class Span:
    """One article sentence and where it stands in the cleaned article text."""

    index: int
    start: int
    end: int
    text: str


class Grounds:
    """What an article says: its sentences, words, numbers, dates, quotes and negations."""

    def __init__(self, article: Article) -> None:
        """Index the article's sentences (with offsets into ``article.text``)."""
        self.text = article.text
        self.spans = _pieces(locate(self.text, [s.text for s in article.sentences]))
        tokens = [[w for w, _, _ in facts.words(span.text)] for span in self.spans]
        self.sequences = [[facts.stem(w) for w in words] for words in tokens]
        sentence_stems = [
            {stem for word, stem in zip(words, stems, strict=True) if facts.is_content(word)}
            for words, stems in zip(tokens, self.sequences, strict=True)
        ]
        self.sentence_stems = sentence_stems
        # Each distinct set of words once, at its last sentence (where ties have always
        # gone): a hostile article of one sentence repeated costs the search once.
        self.distinct = list({frozenset(st): n for n, st in enumerate(sentence_stems)}.items())
        self.stems = set().union(_stems(article.title), *sentence_stems)
        whole = article.title + " " + self.text
        every = [w.lower() for w, _, _ in facts.words(whole)]
        self.lower_words = set(every)
        self.quote_text = " " + " ".join(every) + " "
        stemmed = [facts.stem(w) for w in every]
        self.bigrams = set(zip(stemmed, stemmed[1:], strict=False))
        self.trigrams = set(zip(stemmed, stemmed[1:], stemmed[2:], strict=False))
        strict = facts.number_values(whole)
        self.numbers = {value for _, value in strict | facts.number_values(whole, loose=True)}
        years = {value for kind, value in strict if kind == "date"}
        self.dates = years | {f.value for f in facts.date_names(whole)}
        self.negated = [facts.negated_words(span.text) for span in self.spans]
        self._attributed: dict[int, bool] = {}  # filled as the checker asks
        # Where each stem occurs (sentence numbers): for co-occurrence of facts.
        postings: defaultdict[str, set[int]] = defaultdict(set)
        for number, stems in enumerate(sentence_stems):
            for item in stems:
                postings[item].add(number)
        self.postings = postings
        count = max(len(sentence_stems), 1)
        self.idf = {k: math.log(1 + count / len(v)) for k, v in postings.items()}

    def attributes(self, index: int) -> bool:
        """Tell whether sentence ``index`` gives a claim's source a summary must keep.

        All but a routine ", police said." after a plain fact, which the box may
        cut too. Asked only of a summary sentence's main evidence, so it is
        worked out on demand, once per sentence, not for the whole article.
        """
        known = self._attributed.get(index)
        if known is None:
            text = self.spans[index].text
            known = self._attributed[index] = is_attributed(text) and routine_tail(text) is None
        return known

    def near(self, a: str, b: str, window: int = 1) -> bool:
        """Tell whether two stems occur within ``window`` sentences of each other."""
        first, second = self.postings.get(a, ()), self.postings.get(b, ())
        if not first or not second:
            return True  # a word of the title only: the title frames every sentence
        # Linear in the postings: a hostile article repeating one sentence must not
        # make this a product of two lists thousands long.
        if not first.isdisjoint(second):
            return True
        small, large = sorted((first, second), key=len)
        reach = {i + step for i in small for step in range(-window, window + 1)}
        return not reach.isdisjoint(large)

    def says_quote(self, key: str) -> bool:
        """Tell whether a quoted passage (normalised words) occurs in the article."""
        return f" {key} " in self.quote_text


def locate(text: str, sentences: Sequence[str]) -> list[Span]:
    """Find each sentence's character span in ``text``, in order.

    Sentences are the cleaned text's own pieces, so each is found from
    where the previous one ended; a sentence the cleaner rewrote (a final
    " ." tidied) is found by its longest unchanged prefix.
    """
    spans: list[Span] = []
    cursor = 0
    for index, sentence in enumerate(sentences):
        start = text.find(sentence, cursor)
        end = start + len(sentence)
        if start < 0:
            probe = sentence.rstrip(" .")
            start = text.find(probe, cursor)
            end = start + len(probe)
        if start < 0:
            start, end = cursor, cursor  # not found: an empty span, never a wrong one
        spans.append(Span(index, start, end, sentence))
        cursor = max(cursor, end)
    return spans


def _pieces(spans: Sequence[Span]) -> list[Span]:
    """Cut sentences the splitter left long (a quote never closed) at every sentence end."""
    pieces: list[Span] = []
    for span in spans:
        cuts = [0]
        if len(span.text) > LONG_SENTENCE:
            cuts += [m.end() for m in _SENTENCE_END.finditer(span.text)]
        cuts.append(len(span.text))
        for start, end in itertools.pairwise(cuts):
            text = span.text[start:end]
            lead = len(text) - len(text.lstrip())
            if text.strip():
                begin = span.start + start + lead
                pieces.append(Span(len(pieces), begin, begin + len(text.strip()), text.strip()))
    return pieces


def _stems(text: str) -> set[str]:
    return {facts.stem(w) for w, _, _ in facts.words(text) if facts.is_content(w)}
