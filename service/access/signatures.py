"""Verify HMAC-SHA256 webhook signatures, as CMS event systems send them.

The sender computes ``hex(HMAC-SHA256(secret, f"{timestamp}.{body}"))`` and
sends ``X-Newsbrief-Timestamp: <unix seconds>`` and ``X-Newsbrief-Signature:
sha256=<hex>``. A timestamp older than the tolerance window, or more than
``MAX_FUTURE_SKEW_S`` ahead, is refused; inside the window each signature is
accepted once (the caller remembers it in a shared store), so a captured
request cannot be replayed. Several comma-separated secrets allow rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Newsbrief-Timestamp"
SIGNATURE_HEADER = "X-Newsbrief-Signature"
MAX_FUTURE_SKEW_S = 30  # clocks drift; a timestamp further ahead is forged or broken


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value for a body (what a CMS sends)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secrets: str,
    timestamp: str,
    signature: str,
    body: bytes,
    tolerance_s: int,
    now: float | None = None,
) -> str | None:
    """Return None when the signature is valid and fresh, else why not."""
    if not timestamp or not signature:
        return f"send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}"
    try:
        sent = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be unix seconds"
    age = (time.time() if now is None else now) - sent
    if age > tolerance_s or age < -MAX_FUTURE_SKEW_S:
        return f"{TIMESTAMP_HEADER} is outside the window ({tolerance_s} s back, {MAX_FUTURE_SKEW_S} s ahead)"
    candidates = [s for s in (part.strip() for part in secrets.split(",")) if s]
    matches = [
        hmac.compare_digest(sign(secret, timestamp, body), signature) for secret in candidates
    ]
    return None if any(matches) else "signature does not match"
