"""Align sentences with MiniLM's own word-piece vectors, without running the network.

A sentence is the normalised mean of the input embeddings of its word
pieces, read straight from the packaged encoder's weights (one 30,522 x 384
matrix) and its tokenizer: about a millisecond per summary on one core and
no torch at request time. On the factuality benchmarks this static
alignment scored as well as the full encoder (bench/README.md), which
costs 160 ms per summary on one core and would break the checker's budget.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence

import numpy as np

from service.errors import ModelMissing
from service.minilm import encoder_path

logger = logging.getLogger(__name__)
WEIGHT = "embeddings.word_embeddings.weight"
MAX_PIECES = 256  # a sentence longer than this is aligned on its start


class StaticEncoder:
    """Map texts to L2-normalised mean word-piece vectors (thread-safe, read-only)."""

    def __init__(self) -> None:
        """Load the packaged tokenizer and embedding matrix."""
        from safetensors import safe_open
        from tokenizers import Tokenizer

        folder = encoder_path()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        with safe_open(str(folder / "model.safetensors"), "np") as weights:
            self._matrix = np.asarray(weights.get_tensor(WEIGHT), dtype=np.float32)
        special = ("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]")
        self._special = {i for t in special if (i := self._tokenizer.token_to_id(t)) is not None}
        self._lock = threading.Lock()  # the Rust tokenizer is not documented as thread-safe

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit vector per text (zeros for a text with no word piece)."""
        # One text at a time: a batch wakes the tokenizer's thread pool, which for
        # the few short texts of a request costs more than it saves (about 0.3 ms
        # a box, bench/README.md) and competes with the other workers for the cores.
        with self._lock:
            encodings = [self._tokenizer.encode(t, add_special_tokens=False) for t in texts]
        rows = np.zeros((len(encodings), self._matrix.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids = [i for i in encoding.ids[:MAX_PIECES] if i not in self._special]
            if ids:
                vector = self._matrix[ids].mean(axis=0)
                rows[row] = vector / (np.linalg.norm(vector) or 1.0)
        return rows


@functools.cache
def static_encoder() -> StaticEncoder | None:
    """Return the process's encoder, loaded once; None when the package is missing."""
    try:
        return StaticEncoder()
    except (ModelMissing, OSError) as exc:
        logger.warning("checks_alignment_lexical reason=%s", exc)
        return None
