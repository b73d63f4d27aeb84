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
from service.text.sentences import Sentence

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
    """What an article says: its sentences, words, numbers, dates, quotes and negations.

    The sentence spans are found at once; the word index (stems, n-grams,
    numbers, dates, negations, postings) is built on first use of any of
    its attributes, so a box whose bullets are all cuts of known sentences
    (``Checker.check``'s ``sources``) never pays for it.
    """

    # The word index, filled by ``_index`` when first read.
    sequences: list[Sequence[str]]
    sentence_stems: list[set[str]]
    distinct: list[tuple[frozenset[str], int]]
    stems: set[str]
    lower_words: set[str]
    quote_text: str
    bigrams: set[tuple[str, str]]
    trigrams: set[tuple[str, str, str]]
    numbers: set[str]
    dates: set[str]
    negated: list[set[str]]
    postings: defaultdict[str, set[int]]
    idf: dict[str, float]

    def __init__(self, article: Article) -> None:
        """Locate the article's sentences (with offsets into ``article.text``)."""
        self.text = article.text
        self.title = article.title
        located = locate(self.text, [s.text for s in article.sentences])
        self.spans = _pieces(located)
        self._whole = _whole_sentences(located, self.spans)
        self._attributed: dict[int, bool] = {}  # filled as the checker asks

    def __getattr__(self, name: str) -> object:
        """Build the word index when one of its attributes is first read."""
        if name in _INDEXED and "sequences" not in self.__dict__:
            self._index()
            return getattr(self, name)
        raise AttributeError(name)

    def source_span(self, sentence: int) -> Span | None:
        """Return article sentence ``sentence``'s span, if the index holds it as one piece."""
        return self._whole.get(sentence)

    def _index(self) -> None:
        tokens = [[w for w, _, _ in facts.words(span.text)] for span in self.spans]
        self.sequences = [facts.stemmed(span.text) for span in self.spans]
        sentence_stems = [
            {stem for word, stem in zip(words, stems, strict=True) if facts.is_content(word)}
            for words, stems in zip(tokens, self.sequences, strict=True)
        ]
        self.sentence_stems = sentence_stems
        # Each distinct set of words once, at its last sentence (where ties have always
        # gone): a hostile article of one sentence repeated costs the search once.
        self.distinct = list({frozenset(st): n for n, st in enumerate(sentence_stems)}.items())
        self.stems = set().union(_stems(self.title), *sentence_stems)
        whole = f"{self.title} {self.text}" if self.title else self.text
        every = [w.lower() for w, _, _ in facts.words(whole)]
        self.lower_words = set(every)
        self.quote_text = " " + " ".join(every) + " "
        stemmed = facts.stemmed(whole)
        self.bigrams = set(zip(stemmed, stemmed[1:], strict=False))
        self.trigrams = set(zip(stemmed, stemmed[1:], stemmed[2:], strict=False))
        strict, self.numbers = facts.every_number_value(whole)
        years = {value for kind, value in strict if kind == "date"}
        self.dates = years | {f.value for f in facts.date_names(whole)}
        self.negated = [facts.negated_words(span.text) for span in self.spans]
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
            known = self._attributed[index] = gives_source(self.spans[index].text)
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


def gives_source(text: str) -> bool:
    """Tell whether a sentence attributes a claim (all but a routine ", police said.")."""
    return is_attributed(text) and routine_tail(text) is None


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


def _whole_sentences(located: Sequence[Span], pieces: Sequence[Span]) -> dict[int, Span]:
    """Map each sentence that ``_pieces`` kept whole (its one piece) to that piece."""
    by_start = {p.start: p for p in pieces}
    whole = {}
    for span in located:
        piece = by_start.get(span.start)
        if span.end > span.start and piece is not None and piece.text == span.text.strip():
            whole[span.index] = piece
    return whole


def sentence_grounds(text: str) -> Grounds:
    """Index one sentence on its own (the source of a bullet cut from it)."""
    sentence = Sentence(text, 0, 0, False, False)
    return Grounds(Article(title="", paragraphs=(text,), sentences=(sentence,), input_chars=0))


def _stems(text: str) -> set[str]:
    return {facts.stem(w) for w, _, _ in facts.words(text) if facts.is_content(w)}


_INDEXED = frozenset(Grounds.__annotations__)
