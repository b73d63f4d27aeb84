"""The profiles a server offers: the built-in ones and a newsroom's folder, and which is the default.

Built-in (``service/profiles/builtin``): ``general`` (fitted on every
fitting file; the default), ``cnn`` and ``bbc``. ``NEWSBRIEF_PROFILES_DIR``
adds a newsroom's own (every ``*.json`` in it, written by ``newsbrief
profiles fit``). ``NEWSBRIEF_PROFILE`` names the server's default and
``NEWSBRIEF_KEY_PROFILES`` (``key:profile,...``) an API key's. Every file is
validated when the server starts: a bad one stops it, naming file and field.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from service.errors import UnknownProfile
from service.profiles.profile import Profile
from service.profiles.profile import ProfileError
from service.profiles.profile import load_profile
from service.profiles.profile import parse_profile

GENERAL = "general"


@functools.cache
def builtin_profiles() -> tuple[Profile, ...]:
    """Return the profiles shipped in the package (read once per process)."""
    import json

    folder = importlib.resources.files(__package__).joinpath("builtin")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            found.append(
                parse_profile(json.loads(entry.read_text("utf-8")), f"builtin/{entry.name}")
            )
    return tuple(found)


def parse_key_profiles(raw: str) -> dict[str, str]:
    """Parse ``NEWSBRIEF_KEY_PROFILES`` (``key:profile,...``); raise ValueError on a bad entry."""
    chosen: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, profile = entry.partition(":")
        if not sep or not key or not profile:
            raise ValueError(f"entry {entry[:40]!r} is not key:profile")
        chosen[key.strip()] = profile.strip()
    return chosen


@dataclass(frozen=True)
class Catalog:
    """Profiles by name, the server default and each API key's default."""

    profiles: Mapping[str, Profile]
    default: str
    per_key: Mapping[str, str]

    @classmethod
    def load(cls, folder: str, default: str, key_profiles: str) -> Catalog:
        """Read the built-in profiles and every ``*.json`` of ``folder``.

        Raises:
            ProfileError: a bad file, a name used twice, or an unknown default.
        """
        profiles = {p.name: p for p in builtin_profiles()}
        if folder:
            paths = sorted(Path(folder).glob("*.json"))
            if not Path(folder).is_dir():
                raise ProfileError(folder, "(folder)", "is not a folder")
            for path in paths:
                profile = load_profile(path)
                if profile.name in profiles:
                    raise ProfileError(str(path), "name", f"{profile.name!r} is taken; rename it")
                profiles[profile.name] = profile
        try:
            per_key = parse_key_profiles(key_profiles)
        except ValueError as exc:
            raise ProfileError("NEWSBRIEF_KEY_PROFILES", "(entry)", str(exc)) from None
        for source, name in [("NEWSBRIEF_PROFILE", default), *per_key.items()]:
            if name not in profiles:
                raise ProfileError(
                    source, "(profile)", f"no profile {name!r}; have {', '.join(sorted(profiles))}"
                )
        return cls(profiles, default, per_key)

    def get(self, name: str | None, key_name: str = "") -> Profile:
        """Return the profile asked for, else the key's default, else the server's.

        Raises:
            UnknownProfile: no profile of that name (a 422 listing those there are).
        """
        chosen = name or self.per_key.get(key_name) or self.default
        profile = self.profiles.get(chosen)
        if profile is None:
            raise UnknownProfile(
                f"no profile {chosen!r}; available: {', '.join(sorted(self.profiles))}",
                extensions={"available": sorted(self.profiles)},
            )
        return profile
