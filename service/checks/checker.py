"""Check each summary sentence against the article: evidence, issues and a score.

A sentence is grounded when its facts (numbers, dates, names, quotes) are
in the article, its words are the article's, its key words occur together
in the article (so a fact is not pinned on the wrong person) and its
polarity agrees with the sentences it came from. The score is a logistic
model of those named signals, fitted on human-labelled summaries
(``bench/fit_checks.py``) and shipped as ``thresholds.json``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace

from service.checks import facts
from service.checks.grounds import Grounds
from service.checks.grounds import Span
from service.checks.grounds import gives_source
from service.checks.grounds import sentence_grounds
from service.fitted import read_fitted
from service.text.attribution import has_cue

SIGNALS = ("novel", "facts", "bigrams", "trigrams", "apart", "local", "dissimilar")
ALIGNMENTS = ("minilm", "lexical")  # with the sentence encoder, or words alone
HARD_ISSUES = frozenset({"number", "date", "name", "quote", "negation"})
MODEL_FILE = "model.json"
# What stating an attributed claim as fact costs on the logit scale. Editorial
# policy, not fitted: the published benchmarks label "X, police said" restated
# as "X" consistent (a fitted weight comes out slightly positive), while a
# newsroom treats a lost source as a correction. Half a logit lowers the
# score without flagging a sentence the other signals call grounded; a full
# logit moved the fit's flag threshold from 0.25 to 0.7 (bench/README.md).
ATTRIBUTION_PENALTY = 0.5
MAX_EVIDENCE = 3
KEY_WORDS = 8  # pairs among at most this many of a sentence's rarest words
_ALIGNED = 0.6  # coverage from which polarity must agree


@dataclass(frozen=True, slots=True)
class Issue:
    """A span of the checked sentence that the article does not support."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    """What the article says about one sentence, before it is scored."""

    text: str
    evidence: tuple[Span, ...]
    issues: tuple[Issue, ...]
    signals: tuple[float, ...]  # every SIGNALS value but the last (the encoder's)
    copied: bool = False  # one article sentence with words deleted, nothing added

    @property
    def hard(self) -> bool:
        """Tell whether a fact (number, date, name, quote, polarity) is unsupported."""
        return any(i.kind in HARD_ISSUES for i in self.issues)

    @property
    def unattributed(self) -> bool:
        """Tell whether the sentence states as fact what the article attributes."""
        return any(i.kind == "attribution" for i in self.issues)


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    """The verdict on one summary sentence."""

    text: str
    supported: bool
    score: float
    evidence: tuple[Span, ...]
    issues: tuple[Issue, ...]
    logit: float = 0.0  # the score before the logistic squash (summaries combine these)


@dataclass(frozen=True, slots=True)
class CheckModel:
    """Fitted weights per alignment, the penalty of a hard issue and the flag threshold.

    ``weakest_share`` says how a summary's score combines its sentences'
    logits: that share of the weakest one plus the rest of their mean
    (fitted; 1 would be the weakest sentence alone).
    """

    version: str
    weights: Mapping[str, Mapping[str, float]]
    bias: Mapping[str, float]
    hard_penalty: float
    threshold: float
    weakest_share: float = 1.0
    attribution_penalty: float = 0.0

    def logit(
        self, signals: Sequence[float], hard: bool, alignment: str, unattributed: bool = False
    ) -> float:
        """Return one sentence's support on the logit scale."""
        weights = self.weights[alignment]
        value = self.bias[alignment] - self.hard_penalty * hard
        value -= self.attribution_penalty * unattributed
        return value + sum(weights[n] * v for n, v in zip(SIGNALS, signals, strict=True))

    def score(
        self, signals: Sequence[float], hard: bool, alignment: str, unattributed: bool = False
    ) -> float:
        """Return the support score of one sentence, 0 to 1 (higher = better supported)."""
        return squash(self.logit(signals, hard, alignment, unattributed))

    def combine(self, logits: Sequence[float]) -> float:
        """Return a summary's score from its sentences' logits (1.0 when it has none)."""
        if not logits:
            return 1.0
        share = self.weakest_share
        return squash(share * min(logits) + (1 - share) * sum(logits) / len(logits))

    def judge(self, finding: Finding, dissimilar: float | None) -> SentenceCheck:
        """Score a finding; ``dissimilar`` is 1 - the encoder's cosine, None without one."""
        alignment = "lexical" if dissimilar is None else "minilm"
        signals = (*finding.signals, dissimilar or 0.0)
        logit = self.logit(signals, finding.hard, alignment, finding.unattributed)
        score = squash(logit)
        # A copy (or a deletion-only compression) of an article sentence with no fact
        # issue is grounded by construction, whatever its score.
        supported = (score >= self.threshold or finding.copied) and not finding.hard
        return SentenceCheck(
            finding.text, supported, score, finding.evidence, finding.issues, logit
        )


def squash(value: float) -> float:
    """Return the logistic function of ``value`` (overflow-safe)."""
    return 1.0 / (1.0 + math.exp(-max(min(value, 40.0), -40.0)))


def load_model(path: str | None = None) -> CheckModel:
    """Read the shipped model file (or ``path``)."""
    data = read_fitted(__package__, MODEL_FILE, path)
    models = data["models"]
    return CheckModel(
        version=str(data["version"]),
        weights={a: {n: float(models[a]["weights"][n]) for n in SIGNALS} for a in ALIGNMENTS},
        bias={a: float(models[a]["bias"]) for a in ALIGNMENTS},
        hard_penalty=float(data["hard_penalty"]),
        threshold=float(data["threshold"]),
        weakest_share=float(data.get("weakest_share", 1.0)),
        attribution_penalty=float(data.get("attribution_penalty", 0.0)),
    )


def find(grounds: Grounds, sentence: str) -> Finding:
    """Ground one summary sentence in an indexed article: evidence, issues, signals."""
    tokens = [(w, s, e) for w, s, e in facts.words(sentence) if facts.is_content(w)]
    issues = _fact_issues(grounds, sentence)
    spans = [(i.start, i.end) for i in issues]
    unsupported = [
        (w, s, e)
        for w, s, e in tokens
        if w.lower() not in grounds.lower_words and facts.stem(w) not in grounds.stems
    ]
    issues += [
        Issue("other", s, e, w) for w, s, e in unsupported if not any(a <= s < b for a, b in spans)
    ]
    claimed_stems = {facts.stem(w) for w, _, _ in tokens}
    stems = claimed_stems & grounds.stems
    evidence, coverage = _evidence(grounds, stems)
    negation = _polarity_issue(grounds, sentence, evidence, coverage)
    if negation is not None:
        issues.append(negation)
    unattributed = _attribution_issue(grounds, sentence, evidence, coverage)
    if unattributed is not None:
        issues.append(unattributed)
    stated = set().union(*(grounds.sentence_stems[span.index] for span in evidence))
    bigrams, trigrams = _novel_ngrams(grounds, sentence)
    # A safe compression: the words of one article sentence, in order, nothing added.
    deletion = bool(evidence) and _deletes_from(sentence, grounds.sequences[evidence[0].index])
    signals = (
        len(unsupported) / max(len(tokens), 1),
        min(sum(i.kind in HARD_ISSUES for i in issues), 2) / 2,
        bigrams,
        trigrams,
        _apart(grounds, stems),
        len(claimed_stems - stated) / max(len(claimed_stems), 1),
    )
    ordered = tuple(sorted(issues, key=lambda i: (i.start, i.end)))
    return Finding(sentence, evidence, ordered, signals, deletion)


def find_cut(source: Span, sentence: str) -> Finding | None:
    """Ground a sentence cut from one known article sentence, without the article's index.

    The box knows which sentence each bullet came from. When the bullet is
    that sentence with words deleted (in order, nothing added), it is
    checked against that sentence alone: its numbers, dates, names and
    quotes must be the sentence's, its polarity and attribution kept, its
    word pairs the sentence's. Returns None when it is not such a cut (a
    fronted "X says ..."): the caller runs ``find`` on the whole article.
    """
    if sentence.rstrip(". ") == source.text.rstrip(". "):
        return copied(source, sentence)
    return cut_of(source, sentence)


def find_named_cut(grounds: Grounds, source: Span, sentence: str) -> Finding | None:
    """Ground "Gary Babineau said ..." written from "Babineau said ...": a cut, first name added.

    The box gives a bare surname the first name the article gives it where
    it first uses it (``extractor.first_references``). The rest is checked
    as a cut of its source (``find_cut``), the name against the article
    sentence that writes it in full, which joins the evidence.
    """
    first, _, rest = sentence.partition(" ")
    surname = _LEADING_WORD.match(rest)
    if not first[:1].isupper() or surname is None:
        return None
    cut = find_cut(source, rest)
    name = f"{first} {surname.group()}"
    naming = next((span for span in grounds.spans if name in span.text), None) if cut else None
    if cut is None or naming is None:
        return None
    return replace(cut, text=sentence, evidence=(source, naming))


_LEADING_WORD = re.compile(r"[A-Z][\w-]*")


def copied(source: Span, sentence: str) -> Finding:
    """Ground the source sentence itself (final stop aside): what ``cut_of`` finds for it.

    Every word, number, quote, pair and negation is the sentence's own, so
    only one thing can be wrong: the sentence gives a source that a
    restatement must keep, and this one does not say so (three in four of
    the box's bullets are such copies).
    """
    text = sentence.rstrip()
    issues: tuple[Issue, ...] = ()
    if gives_source(source.text) and not has_cue(sentence):
        issues = (Issue("attribution", 0, len(text), text),)
    return Finding(sentence, (source,), issues, (0.0,) * (len(SIGNALS) - 1), True)


def cut_of(source: Span, sentence: str) -> Finding | None:
    """Ground a deletion-only cut of ``source`` against that sentence's own index."""
    local = sentence_grounds(source.text)
    if not _deletes_from(sentence, local.sequences[0]):
        return None
    return replace(find(local, sentence), evidence=(source,))


def _fact_issues(grounds: Grounds, sentence: str) -> list[Issue]:
    issues = []
    found = facts.numbers(sentence)
    for fact in found:
        if fact.kind == "number" and fact.value not in grounds.numbers:
            issues.append(Issue("number", fact.start, fact.end, sentence[fact.start : fact.end]))
    for fact in facts.dates(sentence, found):
        if fact.value not in grounds.dates and fact.value not in grounds.numbers:
            issues.append(Issue("date", fact.start, fact.end, sentence[fact.start : fact.end]))
    for fact in facts.names(sentence):
        if fact.value not in grounds.lower_words and facts.stem(fact.value) not in grounds.stems:
            issues.append(Issue("name", fact.start, fact.end, sentence[fact.start : fact.end]))
    for fact in facts.quotes(sentence):
        if not grounds.says_quote(fact.value) or not _speaker_near(grounds, sentence, fact):
            issues.append(Issue("quote", fact.start, fact.end, sentence[fact.start : fact.end]))
    return issues


def _speaker_near(grounds: Grounds, sentence: str, quote: facts.Fact) -> bool:
    """Tell whether the names around a quotation occur near it in the article."""
    outside = sentence[: quote.start] + " " + sentence[quote.end :]
    speakers = {facts.stem(f.value) for f in facts.names(" " + outside)}
    inner = {facts.stem(w) for w, _, _ in facts.words(sentence[quote.start : quote.end])}
    anchors = [s for s in inner if s in grounds.postings and facts.is_content(s)]
    if not speakers or not anchors:
        return True
    rarest = min(anchors, key=lambda s: (len(grounds.postings[s]), s))
    return all(grounds.near(speaker, rarest) for speaker in speakers if speaker in grounds.stems)


def _evidence(grounds: Grounds, stems: set[str]) -> tuple[tuple[Span, ...], float]:
    """Greedily pick the article sentences that cover the sentence's words best."""
    # fsum: exact, so the result never depends on set order (string hashing varies per run)
    total = math.fsum(grounds.idf.get(s, 0.0) for s in stems)
    if not stems or total <= 0:
        return (), 1.0 if not stems else 0.0
    left, chosen = set(stems), list[int]()
    while left and len(chosen) < MAX_EVIDENCE:
        gains = [
            (math.fsum(grounds.idf.get(s, 0.0) for s in left & own), number)
            for own, number in grounds.distinct
        ]
        gain, best = max(gains, default=(0.0, -1))
        if best < 0 or gain < 0.15 * total and chosen:
            break
        if gain <= 0:
            break
        chosen.append(best)
        left -= grounds.sentence_stems[best]
    covered = total - math.fsum(grounds.idf.get(s, 0.0) for s in left)
    # The first pick (the best single sentence) leads: polarity is checked against it.
    return tuple(grounds.spans[n] for n in [chosen[0], *sorted(chosen[1:])]), covered / total


def _polarity_issue(
    grounds: Grounds, sentence: str, evidence: Sequence[Span], coverage: float
) -> Issue | None:
    """Flag a sentence whose polarity disagrees with the article sentence it restates.

    A dropped or added "not", or an antonym ("rose" for the article's
    "fell") of a word of the aligned sentence, while the rest agrees.
    """
    if not evidence or coverage < _ALIGNED:
        return None
    claim = {facts.stem(w): (s, e) for w, s, e in facts.words(sentence) if len(w) > 1}
    source = set().union(*(grounds.sentence_stems[span.index] for span in evidence))
    source = source.union(*(facts.stemmed(span.text) for span in evidence))
    main = set(facts.stemmed(evidence[0].text))
    for swapped in sorted(facts.contradicts(set(claim), main)):
        start, end = claim[swapped]
        return Issue("negation", start, end, sentence[start:end])
    claimed = facts.negated_words(sentence)
    stated = set().union(*(grounds.negated[span.index] for span in evidence))
    # "did not win" where the article, negating nothing, says "won".
    added = claimed - stated if not stated else set()
    if added & source:
        for negation in facts.negations(sentence):
            return Issue(
                "negation", negation.start, negation.end, sentence[negation.start : negation.end]
            )
    if len(evidence) != 1 or claimed:
        return None
    # The article's "not guilty" as "guilty": a word the article only ever negates there.
    words = grounds.sequences[evidence[0].index]
    for lost in sorted((stated - claimed) & set(claim)):
        if words.count(lost) == 1:
            start, end = claim[lost]
            return Issue("negation", start, end, sentence[start:end])
    return None


def _attribution_issue(
    grounds: Grounds, sentence: str, evidence: Sequence[Span], coverage: float
) -> Issue | None:
    """Flag a sentence that states as fact what the article only attributes.

    The sentence restates an article sentence (its main evidence) that
    gives a source ("..., according to court documents", "Police said
    ...", "a study found"), and says nothing of who claims it.
    """
    if not evidence or coverage < _ALIGNED or not grounds.attributes(evidence[0].index):
        return None
    if has_cue(sentence):
        return None
    text = sentence.rstrip()
    return Issue("attribution", 0, len(text), text)


def _deletes_from(sentence: str, source: Sequence[str]) -> bool:
    """Tell whether the sentence is the source sentence with words deleted (in order)."""
    remaining = iter(source)
    return all(any(word == item for item in remaining) for word in facts.stemmed(sentence))


def _novel_ngrams(grounds: Grounds, sentence: str) -> tuple[float, float]:
    """Return the shares of the sentence's word pairs and triples the article never uses."""
    stemmed = facts.stemmed(sentence)
    pairs = list(zip(stemmed, stemmed[1:], strict=False))
    triples = list(zip(stemmed, stemmed[1:], stemmed[2:], strict=False))
    novel_pairs = sum(p not in grounds.bigrams for p in pairs) / max(len(pairs), 1)
    novel_triples = sum(t not in grounds.trigrams for t in triples) / max(len(triples), 1)
    return novel_pairs, novel_triples


def _apart(grounds: Grounds, stems: set[str]) -> float:
    """Return the share of key-word pairs that never occur near each other in the article."""
    keys = sorted(
        (s for s in stems if s in grounds.postings),
        key=lambda s: (len(grounds.postings[s]), s),
    )[:KEY_WORDS]
    pairs = list(itertools.combinations(keys, 2))
    if not pairs:
        return 0.0
    return sum(not grounds.near(a, b) for a, b in pairs) / len(pairs)
