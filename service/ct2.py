"""CTranslate2: convert a fetched model, and generate with the converted copy.

``newsbrief models fetch NAME`` also writes the float32 copy,
``models/<NAME>-ct2-float32/``, which the abstractive engine serves by
default on a CPU (``NEWSBRIEF_QUANTIZE=auto``); ``newsbrief models convert
NAME [--quantization float32]`` writes one for a folder fetched before, or
the int8 copy ``models/<NAME>-ct2/`` (``NEWSBRIEF_QUANTIZE=ct2-int8``). The
tokenizer stays the one in ``models/<NAME>/``. float32 keeps the weights: on
the proxy model its ROUGE is torch's, about 2x faster through the service;
int8 is the fastest and leanest and costs ROUGE (bench/README.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.errors import ModelMissing

SUFFIX = "-ct2"
# NEWSBRIEF_QUANTIZE value -> CTranslate2 weight type (also its compute type).
QUANTIZATIONS = {"ct2-int8": "int8", "ct2-float32": "float32"}
# Config attributes the converter reads that transformers 5 no longer sets,
# with the values every BART checkpoint had.
_LEGACY_CONFIG = {"normalize_before": False}


def ct2_path(model_dir: Path, name: str, quantization: str = "int8") -> Path:
    """Return the folder of a model's converted copy (int8 keeps the historical name)."""
    suffix = SUFFIX if quantization == "int8" else f"{SUFFIX}-{quantization}"
    return Path(model_dir) / f"{name}{suffix}"


def convert(source: Path, target: Path, quantization: str = "int8") -> Path:
    """Convert a ``save_pretrained`` folder to CTranslate2 (int8 by default)."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise ModelMissing(
            "install ctranslate2 to convert models: pip install ctranslate2"
        ) from None

    class _Converter(TransformersConverter):  # type: ignore[misc]
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = model_class.from_pretrained(model_name_or_path, local_files_only=True, **kwargs)
            for name, value in _LEGACY_CONFIG.items():
                if not hasattr(model.config, name):
                    setattr(model.config, name, value)
            return model

    _Converter(str(source)).convert(str(target), quantization=quantization, force=True)
    return target


class Ct2Generator:
    """Generate with a CTranslate2 translator; the same kwargs as ``generate``."""

    def __init__(
        self, model_dir: Path, name: str, tokenizer: Any, replicas: int = 1,
        compute_type: str = "int8", forced_eos: bool = False,
        tokenizer_lock: threading.Lock | None = None,
    ) -> None:  # fmt: skip
        """Load NAME's converted copy once, for ``replicas`` batches at a time.

        Each replica runs one batch on one core and all share the weights
        (CTranslate2's ``inter_threads``): one copy in memory serves every
        core, where one copy per worker process would multiply it (the
        copy is not fork-safe, so workers cannot share it).
        ``forced_eos``: the model's generation config forces the end token at
        the length limit (BART's does); CTranslate2 has no such option, so the
        limit is one token lower and the text ends where torch's would.
        ``tokenizer_lock``: held around every tokenizer call (not thread-safe).
        """
        folder = ct2_path(model_dir, name, compute_type)
        if not (folder / "model.bin").is_file():
            command = f"newsbrief models convert {name} --quantization {compute_type}"
            raise ModelMissing(f"no converted model in {folder}; run `{command}`")
        import ctranslate2

        self.compute_type = compute_type
        self._translator = ctranslate2.Translator(
            str(folder), device="cpu", compute_type=compute_type, intra_threads=1,
            inter_threads=max(1, replicas),
        )  # fmt: skip
        self._tokenizer = tokenizer
        self._tokenizer_lock = tokenizer_lock or threading.Lock()
        self._limit_shift = 1 if forced_eos else 0

    def generate(
        self, texts: Sequence[str], max_input_tokens: int, kwargs: dict[str, Any]
    ) -> list[str]:
        """Summarise texts; beam, length and n-gram settings map one to one (thread-safe)."""
        with self._tokenizer_lock:
            ids = self._tokenizer(list(texts), truncation=True, max_length=max_input_tokens)[
                "input_ids"
            ]
            source = [self._tokenizer.convert_ids_to_tokens(row) for row in ids]
        limit = int(kwargs["max_new_tokens"]) - self._limit_shift
        results = self._translator.translate_batch(
            source,
            beam_size=int(kwargs.get("num_beams", 1)),
            max_decoding_length=limit,
            min_decoding_length=min(limit, int(kwargs.get("min_new_tokens", 0))),
            length_penalty=float(kwargs.get("length_penalty", 1.0)),
            no_repeat_ngram_size=int(kwargs.get("no_repeat_ngram_size", 0)),
            max_batch_size=len(source),
        )
        decoded = []
        with self._tokenizer_lock:
            for result in results:
                tokens = result.hypotheses[0]
                text = self._tokenizer.decode(
                    self._tokenizer.convert_tokens_to_ids(tokens), skip_special_tokens=True
                )
                decoded.append(" ".join(text.split()))
        return decoded
