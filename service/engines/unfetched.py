"""The abstractive engine's stand-in when its weights are not on this server.

A fresh ``make run`` has no seq2seq weights: the engine can only report
why, with the command that fetches them. The stand-in does that without
importing torch and transformers, which cost each worker about 180 MiB of
memory for an engine that cannot load (bench/README.md). Fetching the
weights takes a restart, as it always did: engines load once, at start.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.engines.base import Summarizer
from service.engines.base import Summary
from service.engines.base import SummaryParams
from service.modelstore import ModelStore
from service.text.article import Article


class UnfetchedModel(Summarizer):
    """Fail to load with ``ModelMissing`` (and its remedy); never summarise."""

    name = "abstractive"

    def __init__(self, store: ModelStore, model_name: str) -> None:
        """Name the model whose weights are missing."""
        super().__init__()
        self.store = store
        self.model_name = model_name

    @property
    def model(self) -> str:
        """Return the manifest name of the missing model."""
        return self.model_name

    def _load(self) -> None:
        self.store.require(self.model_name)  # raises ModelMissing with the remedy
        raise RuntimeError(f"model {self.model_name!r} appeared after start: restart to load it")

    def summarize(self, articles: Sequence[Article], params: SummaryParams) -> list[Summary]:
        """Never called: the registry serves only engines that loaded."""
        raise RuntimeError("the abstractive engine has no weights on this server")
