"""Check API keys: salted SHA-256 hashes in settings, constant-time comparison.

``NEWSBRIEF_API_KEYS`` holds comma-separated ``name:sha256$salt$hexdigest``
entries (``newsbrief keys hash NAME`` prints one). Several keys at once allow
rotation; the key's *name* goes to logs, never the key. Keys are random and
long, so one salted SHA-256 is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "sha256"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One configured key: its name and salted hash."""

    name: str
    salt: str
    digest: str


def digest(key: str, salt: str) -> str:
    """Return the hex SHA-256 of salt and key."""
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def new_key(name: str) -> tuple[str, str]:
    """Return a fresh random key and its ``name:sha256$salt$digest`` entry."""
    key = secrets.token_urlsafe(32)
    salt = secrets.token_hex(8)
    return key, f"{name}:{SCHEME}${salt}${digest(key, salt)}"


def parse_keys(raw: str) -> tuple[ApiKey, ...]:
    """Parse ``NEWSBRIEF_API_KEYS``; raise ValueError naming the bad entry."""
    keys = []
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        name, _, spec = entry.partition(":")
        scheme, _, rest = spec.partition("$")
        salt, _, hexdigest = rest.partition("$")
        if not name or scheme != SCHEME or not salt or len(hexdigest) != 64:
            raise ValueError(f"entry {name or entry[:12]!r} is not name:sha256$salt$hexdigest")
        keys.append(ApiKey(name, salt, hexdigest.lower()))
    return tuple(keys)


def authenticate(keys: tuple[ApiKey, ...], authorization: str, api_key: str) -> str | None:
    """Return the name of the key the request carries, or None.

    Takes the ``Authorization`` (``Bearer <key>``) and ``X-API-Key`` header
    values. Every configured key is compared (no early exit), each in
    constant time.
    """
    offered = api_key
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        offered = token.strip()
    if not offered:
        return None
    found = None
    for key in keys:
        if hmac.compare_digest(digest(offered, key.salt), key.digest):
            found = key.name
    return found
