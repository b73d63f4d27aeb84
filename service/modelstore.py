"""Know which models are supported, which are on disk, and fetch them.

The manifest (``models/manifest.toml``) is the one place naming each model's
hub id, pinned revision, licence, input limit and card generation settings.
Serving never touches the network: only ``fetch`` (run by the Dockerfile or
by hand) downloads, and loading uses ``local_files_only=True``.
"""

from __future__ import annotations

import json
import logging
import shutil
import tomllib
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from service.errors import ModelMissing

logger = logging.getLogger(__name__)

MANIFEST = "manifest.toml"
STAMP = ".newsbrief.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")
Downloader = Callable[..., str]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One supported model as the manifest describes it."""

    name: str
    hub_id: str
    revision: str
    license: str
    max_input_tokens: int
    generation: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_pinned(self) -> bool:
        """Tell whether the revision is a full commit SHA."""
        return len(self.revision) == 40 and all(c in "0123456789abcdef" for c in self.revision)


class ModelStore:
    """Read the manifest and the weight folders under one ``models/`` folder."""

    def __init__(self, root: Path) -> None:
        """Use ``root`` (the ``NEWSBRIEF_MODEL_DIR`` setting)."""
        self.root = Path(root)

    def specs(self) -> dict[str, ModelSpec]:
        """Return every model in the manifest, by name."""
        path = self.root / MANIFEST
        if not path.is_file():
            return {}
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        return {
            name: ModelSpec(name=name, **values) for name, values in data.get("models", {}).items()
        }

    def spec(self, name: str) -> ModelSpec:
        """Return one model's spec, or a local-only spec for an unlisted folder.

        Raises:
            ModelMissing: the name is neither in the manifest nor a folder here.
        """
        specs = self.specs()
        if name in specs:
            return specs[name]
        if self.is_present(name):
            return ModelSpec(name, hub_id=name, revision="local", license="unknown",
                             max_input_tokens=0)  # fmt: skip
        known = ", ".join(sorted(specs)) or "none"
        raise ModelMissing(f"model {name!r} is not in {self.root / MANIFEST} (known: {known})")

    def path(self, name: str) -> Path:
        """Return the folder that holds (or will hold) a model's weights."""
        return self.root / name

    def is_present(self, name: str) -> bool:
        """Tell whether a model's config and weights are on disk."""
        folder = self.path(name)
        has_weights = any((folder / f).is_file() for f in WEIGHT_FILES)
        return (folder / "config.json").is_file() and has_weights

    def require(self, name: str) -> Path:
        """Return the folder of a model that must be present.

        Raises:
            ModelMissing: naming the exact command that fetches it.
        """
        if not self.is_present(name):
            raise ModelMissing(
                f"model {name!r} has no weights on this server; "
                f"run `newsbrief models fetch {name}` on a machine with network access "
                "(or copy its save_pretrained folder into the model folder)"
            )
        return self.path(name)

    def fetch(self, name: str, *, download: Downloader | None = None) -> Path:
        """Download a model at its pinned revision into ``models/<name>/``.

        Args:
            name: a model named in the manifest.
            download: ``huggingface_hub.snapshot_download`` or a stand-in with
                the same signature (tests pass one that copies a local folder).

        Raises:
            ModelMissing: the name is unknown, or the download failed; the
                message says what to do.
        """
        spec = self.specs().get(name)
        if spec is None:
            known = ", ".join(sorted(self.specs())) or "none"
            raise ModelMissing(f"model {name!r} is not in the manifest (known: {known})")
        if download is None:
            from huggingface_hub import snapshot_download

            download = snapshot_download
        target = self.path(name)
        try:
            download(
                repo_id=spec.hub_id,
                revision=spec.revision,
                local_dir=str(target),
                allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model", "*.bin"],
            )
        except Exception as exc:  # the hub raises many types; all mean the same here
            shutil.rmtree(target, ignore_errors=True)
            raise ModelMissing(
                f"could not download {spec.hub_id}@{spec.revision}: {exc}. Check network "
                "access to huggingface.co (or set HF_ENDPOINT to a mirror) and retry "
                f"`newsbrief models fetch {name}`; offline, copy a save_pretrained folder "
                f"to {target}"
            ) from exc
        (target / STAMP).write_text(json.dumps({"hub_id": spec.hub_id, "revision": spec.revision}))
        if not spec.is_pinned:
            logger.warning("model_unpinned model=%s revision=%s", name, spec.revision)
        return target

    def listing(self) -> list[dict[str, Any]]:
        """Describe every manifest model and every extra folder: present or not."""
        names = sorted(set(self.specs()) | {p.name for p in self._folders()})
        rows = []
        for name in names:
            spec = self.spec(name)
            rows.append(
                {
                    "name": name,
                    "hub_id": spec.hub_id,
                    "revision": spec.revision,
                    "license": spec.license,
                    "present": self.is_present(name),
                    "path": str(self.path(name)),
                }
            )
        return rows

    def _folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.iterdir() if p.is_dir() and self.is_present(p.name)]
