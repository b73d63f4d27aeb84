"""Abstractive engine: a pretrained seq2seq model (BART, PEGASUS, T5) on local weights.

Loading is local-only (``local_files_only=True``) from ``models/<name>/``.
Long articles are split into sentence-aligned windows that fit the model,
summarised as one padded batch, then fused. ``generate`` is serialised by a
lock because gunicorn's gthread workers share one model between threads.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import AutoConfig
from transformers import AutoModelForSeq2SeqLM
from transformers import AutoTokenizer
from transformers import StoppingCriteria
from transformers import StoppingCriteriaList
from transformers.utils import logging as hf_logging

from service.engines.abandon import is_abandoned
from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.engines.lead import take_within
from service.errors import ClientGone
from service.errors import InferenceFailed
from service.errors import ModelMissing
from service.modelstore import STAMP
from service.modelstore import ModelSpec
from service.modelstore import ModelStore
from service.settings import Settings
from service.text.article import Article
from service.text.sentences import split_sentences

logger = logging.getLogger(__name__)

TOKENS_PER_WORD = 1.4  # BPE/unigram English news averages 1.3 to 1.4 tokens a word
FUSION_ROUNDS = 2


@dataclass(frozen=True, slots=True)
class Window:
    """One model-sized piece of one article."""

    doc: int
    text: str
    truncated: bool


KEEP_FP32 = (
    "lm_head",
)  # tied to the embeddings in BART; int8 here wrecks output (transformers#7259)


def quantize_int8(model: Any) -> Any:
    """Quantise the Linear layers to dynamic int8, except ``KEEP_FP32`` (CPU only)."""
    import warnings

    from torch.ao.quantization import quantize_dynamic

    names = {
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] not in KEEP_FP32
    }
    with warnings.catch_warnings():
        # Eager-mode quantisation is deprecated in favour of torchao (pytorch#184982);
        # it still ships in torch 2.13 and measures fastest here. TODO(#5): torchao.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        # In place: a copy would hold the fp32 model twice at peak.
        return quantize_dynamic(model, names, dtype=torch.qint8, inplace=True)  # type: ignore[no-untyped-call]


def choose_dtype(setting: str, device: torch.device) -> torch.dtype:
    """Map ``NEWSBRIEF_DTYPE``; ``auto`` is bf16 (else fp16) on CUDA and fp32 on CPU."""
    if setting != "auto":
        return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[
            setting
        ]
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def choose_device(setting: str) -> torch.device:
    """Map ``NEWSBRIEF_DEVICE`` to a torch device; ``cuda`` without a GPU is an error."""
    if setting == "cuda" and not torch.cuda.is_available():
        raise ModelMissing("NEWSBRIEF_DEVICE=cuda but no CUDA device is available")
    if setting == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda")


class TransformerSummarizer(Summarizer):
    """Summarise with ``AutoModelForSeq2SeqLM.generate`` (thread-safe via a lock)."""

    name = "abstractive"

    def __init__(
        self, settings: Settings, store: ModelStore, model_name: str | None = None
    ) -> None:
        """Describe the model to load; nothing heavy happens until ``load``."""
        super().__init__()
        self.settings = settings
        self.store = store
        self.model_name = model_name or settings.model
        self.spec: ModelSpec | None = None
        self._revision: str | None = None
        self._lock = threading.Lock()
        # A fast tokenizer must not be called from two threads at once (its
        # truncation state is shared: "Already borrowed"); CTranslate2 replicas
        # generate in parallel, so every tokenizer call takes this lock.
        self._tokenizer_lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self._ct2: Any = None
        self._fallback: str | None = None
        self._config: Any = None
        self.device = torch.device("cpu")
        self.dtype = torch.float32
        self.max_input_tokens = 0

    @property
    def model(self) -> str:
        """Return the manifest name of the model."""
        return self.model_name

    @property
    def revision(self) -> str | None:
        """Return the revision of the weights on disk (as fetched)."""
        return self._revision

    def _load(self) -> None:
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        path = self.store.require(self.model_name)
        self.spec = self.store.spec(self.model_name)
        self._revision = self._check_revision(path)
        torch.set_num_threads(self.settings.effective_torch_threads)
        self.device = choose_device(self.settings.device)
        self.dtype = choose_dtype(self.settings.dtype, self.device)
        if self.settings.quantize not in ("none", "auto") and self.device.type != "cpu":
            raise ModelMissing(
                f"NEWSBRIEF_QUANTIZE={self.settings.quantize} is a CPU path; unset it on CUDA"
            )
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self._config = AutoConfig.from_pretrained(path, local_files_only=True)
        # A converted copy replaces the torch weights: they are never loaded.
        self._ct2, self._fallback = self._open_ct2()
        if self._ct2 is None:
            self._model = self._load_torch(path)
        # Measured on a 2-core CPU: padded batches of ~1000-token articles cost
        # more than they save (the encoder dominates); on a GPU they multiply
        # throughput (bench/README.md).
        self.preferred_batch = 16 if self.device.type == "cuda" else 1
        limits = [self.spec.max_input_tokens, getattr(self._config, "max_position_embeddings", 0)]
        self.max_input_tokens = min(x for x in limits if x) if any(limits) else 512
        logger.info(
            "model_loaded model=%s revision=%s device=%s backend=%s precision=%s threads=%d max_input_tokens=%d",
            self.model_name, self._revision, self.device, self.backend, self.precision,
            torch.get_num_threads(), self.max_input_tokens,
        )  # fmt: skip

    def _open_ct2(self) -> tuple[Any, str | None]:
        """Return the CTranslate2 generator to serve with (or None), and why torch serves.

        ``auto`` (the default) serves the model's CTranslate2 float32 copy on
        a CPU whenever one loads: about 2x torch through the service at the
        same quality (bench/README.md). Torch serves when there is no copy
        (not converted, or an architecture CTranslate2 cannot convert), when
        the copy does not load (corrupt, written by another ctranslate2),
        when ctranslate2 is not installed, and on a GPU. An explicit
        ``ct2-*`` setting must load.
        """
        quantize = self.settings.quantize
        if quantize in ("none", "int8") or (quantize == "auto" and self.device.type != "cpu"):
            return None, None
        from service.ct2 import QUANTIZATIONS
        from service.ct2 import Ct2Generator

        forced = getattr(self._config, "forced_eos_token_id", None) is not None
        replicas = self.settings.effective_torch_threads
        try:
            generator = Ct2Generator(
                self.store.root, self.model_name, self._tokenizer, replicas,
                QUANTIZATIONS.get(quantize, "float32"), forced, self._tokenizer_lock,
            )  # fmt: skip
        except Exception as exc:  # ModelMissing, ImportError, ctranslate2's RuntimeError
            if quantize != "auto":
                raise
            log, reason = logger.warning, f"the CTranslate2 copy did not load: {exc}"
            if isinstance(exc, ModelMissing):  # no copy: a normal state, with its remedy
                log, reason = logger.info, exc.detail
            elif isinstance(exc, ImportError):
                reason = "ctranslate2 is not installed"
            log("model_backend_fallback model=%s backend=torch reason=%s", self.model_name, reason)
            return None, reason
        self.parallel = replicas
        return generator, None

    @property
    def backend(self) -> str | None:
        """Return ``ctranslate2`` or ``torch`` once loaded."""
        if self._ct2 is not None:
            return "ctranslate2"
        return "torch" if self._model is not None else None

    @property
    def precision(self) -> str | None:
        """Return the weights' precision as served (``float32``, ``int8``, ``bfloat16``)."""
        if self._ct2 is not None:
            return str(self._ct2.compute_type)
        if self._model is None:
            return None
        return (
            "int8" if self.settings.quantize == "int8" else str(self.dtype).removeprefix("torch.")
        )

    @property
    def fallback(self) -> str | None:
        """Return why torch serves where the default would take the CTranslate2 copy."""
        return self._fallback

    def _load_torch(self, path: Any) -> Any:
        model = AutoModelForSeq2SeqLM.from_pretrained(path, local_files_only=True, dtype=self.dtype)
        # Length comes from each request (max/min_new_tokens); the card's
        # max_length in the saved config would otherwise compete with it.
        model.generation_config.max_length = None
        model.generation_config.min_length = None
        model = model.to(self.device).eval()
        return quantize_int8(model) if self.settings.quantize == "int8" else model

    def _check_revision(self, path: Any) -> str:
        """Return the fetched revision; refuse weights of another pinned revision."""
        assert self.spec is not None
        stamp = path / STAMP
        if not stamp.is_file():
            logger.warning("model_revision_unverified model=%s", self.model_name)
            return "unverified"
        fetched = str(json.loads(stamp.read_text()).get("revision", "unknown"))
        if self.spec.is_pinned and fetched != self.spec.revision:
            raise ModelMissing(
                f"{path} holds revision {fetched} but the manifest pins {self.spec.revision}; "
                f"run `newsbrief models fetch {self.model_name}` again"
            )
        return fetched

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Summarise articles; all their windows go through batched ``generate``."""
        windows = [w for i, a in enumerate(articles) for w in self._windows(i, a.sentences)]
        texts = self._run([w.text for w in windows], params)
        results = []
        for index in range(len(articles)):
            mine = [(w, t) for w, t in zip(windows, texts, strict=True) if w.doc == index]
            joined = " ".join(t for _, t in mine)
            fused = self._fuse(joined, params) if len(mine) > 1 else joined
            results.append(
                Summary(
                    text=_trim_words(fused, params.max_words),
                    truncated=any(w.truncated for w, _ in mine),
                    chunks=len(mine),
                )
            )
        return results

    def _fuse(self, text: str, params: SummaryParams) -> str:
        """Summarise the joined chunk summaries again while they are too long."""
        for _ in range(FUSION_ROUNDS):
            if len(text.split()) <= params.max_words:
                break
            sentences = split_sentences(text)
            pieces = [w.text for w in self._pack(0, sentences)]
            text = " ".join(self._run(pieces, params))
        return text

    def _windows(self, doc: int, sentences: Sequence[Any]) -> list[Window]:
        windows = self._pack(doc, [s.text for s in sentences])
        limit = self.settings.max_chunks
        if len(windows) > limit:
            kept = windows[:limit]
            return [*kept[:-1], Window(doc, kept[-1].text, truncated=True)]
        return windows

    def _pack(self, doc: int, sentences: Sequence[str]) -> list[Window]:
        """Pack whole sentences into windows of at most the model's input length."""
        budget = self.max_input_tokens - 4  # room for BOS/EOS and a T5 prefix
        with self._tokenizer_lock:
            lengths = self._tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
        windows: list[Window] = []
        current: list[str] = []
        used = 0
        for sentence, ids in zip(sentences, lengths, strict=True):
            if len(ids) > budget:  # one sentence longer than the model: cut it, say so
                if current:
                    windows.append(Window(doc, " ".join(current), False))
                    current, used = [], 0
                windows.append(Window(doc, self._tokenizer.decode(ids[:budget]), True))
                continue
            if used + len(ids) > budget and current:
                windows.append(Window(doc, " ".join(current), False))
                current, used = [], 0
            current.append(sentence)
            used += len(ids)
        if current:
            windows.append(Window(doc, " ".join(current), False))
        return windows

    def _run(self, texts: Sequence[str], params: SummaryParams) -> list[str]:
        """Generate for many texts in padded batches, longest first to limit padding."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        outputs: dict[int, str] = {}
        size = self.settings.generate_batch
        for start in range(0, len(order), size):
            if is_abandoned():
                raise ClientGone("every request of this batch has gone; generation stopped")
            batch = order[start : start + size]
            chunk = [texts[i] for i in batch]
            if self._ct2 is not None:
                kwargs = self.generation_kwargs(params)
                prefixed = [self._prefix + t for t in chunk]
                decoded = self._ct2.generate(prefixed, self.max_input_tokens, kwargs)
            else:
                decoded = self._decode(self._generate(self._encode(chunk), params))
            outputs.update(zip(batch, decoded, strict=True))
        return [outputs[i] for i in range(len(texts))]

    @property
    def _prefix(self) -> str:
        """Return the task prefix T5 checkpoints expect (none for BART/PEGASUS)."""
        return "summarize: " if self._config.model_type == "t5" else ""

    def _encode(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        encoded = self._tokenizer(
            [self._prefix + t for t in texts], return_tensors="pt", padding=True,
            truncation=True, max_length=self.max_input_tokens,
        )  # fmt: skip
        return {k: v.to(self.device) for k, v in encoded.items()}

    def _generate(self, inputs: dict[str, torch.Tensor], params: SummaryParams) -> torch.Tensor:
        kwargs = self.generation_kwargs(params)
        try:
            with self._lock, torch.inference_mode():
                output: torch.Tensor = self._model.generate(
                    **inputs, **kwargs, stopping_criteria=StoppingCriteriaList([_StopAbandoned()])
                )
            if is_abandoned():
                raise ClientGone("every request of this batch has gone; generation stopped")
            return output
        except (RuntimeError, ValueError, IndexError) as exc:
            logger.error("generate_failed model=%s error=%s", self.model_name, exc)
            raise InferenceFailed("the model failed to generate a summary") from exc

    def _decode(self, output: torch.Tensor) -> list[str]:
        texts = self._tokenizer.batch_decode(output, skip_special_tokens=True)
        return [" ".join(t.split()) for t in texts]

    def generation_kwargs(self, params: SummaryParams) -> dict[str, Any]:
        """Map the card's settings and the request's word limits to ``generate`` kwargs."""
        card = dict(self.spec.generation) if self.spec else {}
        card_max = int(card.pop("max_length", 142))
        card_min = int(card.pop("min_length", 0))
        max_tokens = max(8, math.ceil(params.max_words * TOKENS_PER_WORD))
        if params.min_words:
            min_tokens = math.ceil(params.min_words * TOKENS_PER_WORD)
        else:
            min_tokens = min(card_min, max_tokens // 2, card_max)
        if self.settings.num_beams:
            card["num_beams"] = self.settings.num_beams
        if card.get("num_beams", 1) == 1:
            for beam_only in ("length_penalty", "early_stopping", "num_beam_groups"):
                card.pop(beam_only, None)
        return {**card, "max_new_tokens": max_tokens, "min_new_tokens": min(min_tokens, max_tokens)}


def _trim_words(text: str, max_words: int) -> str:
    """Keep whole sentences within ``max_words`` (at least one, cut if it alone is over)."""
    if len(text.split()) <= max_words:
        return text
    from service.text.sentences import sentences_of

    kept = take_within(sentences_of([text]), max_words)
    trimmed = " ".join(s.text for s in kept)
    words = trimmed.split()
    return trimmed if len(words) <= max_words else " ".join(words[:max_words])


class _StopAbandoned(StoppingCriteria):
    """Stop generating at the next token once every request of the batch has gone."""

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs: Any) -> Any:
        return torch.full((input_ids.shape[0],), is_abandoned(), dtype=torch.bool)
