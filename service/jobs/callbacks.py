"""Call back the CMS when a job ends: which URLs may be called, and one signed attempt.

A callback URL comes from the caller, so it must not turn the service into
a proxy into its own network (SSRF). ``NEWSBRIEF_CALLBACK_ALLOW`` is a
comma-separated list of host patterns (``cms.example.com``,
``*.newsroom.example``) and networks (``10.20.0.0/16``, ``127.0.0.1``):

- with host patterns listed, the URL's host must match one;
- every address the host resolves to must be public, or inside a listed
  network: private, loopback, link-local (cloud metadata), shared, reserved
  and IPv4-mapped forms of them are refused by default;
- the check runs at submission (a 422) and again before every attempt, and
  the attempt connects to the address that passed, so a DNS answer that
  changes in between (rebinding) cannot redirect it. Redirects are not followed.
"""

from __future__ import annotations

import fnmatch
import http.client
import ipaddress
import json
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.access.signatures import SIGNATURE_HEADER
from service.access.signatures import TIMESTAMP_HEADER
from service.access.signatures import sign
from service.errors import CallbackRefused
from service.jobs.queue import Outcome

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
JOB_HEADER = "X-Newsbrief-Job-Id"
ATTEMPT_HEADER = "X-Newsbrief-Delivery-Attempt"
USER_AGENT = "newsbrief-callback/1"
MAX_URL_CHARS = 2048


def resolve(host: str, port: int) -> list[str]:
    """Return every address ``host`` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Target:
    """A checked callback: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


class CallbackPolicy:
    """Decide which callback URLs may be called (``NEWSBRIEF_CALLBACK_ALLOW``)."""

    def __init__(self, allow: str, resolver: Resolver = resolve) -> None:
        """Parse the allow list; entries that parse as an address or network are networks."""
        self.patterns: list[str] = []
        self.networks: list[IpNetwork] = []
        for entry in filter(None, (part.strip().lower() for part in allow.split(","))):
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.patterns.append(entry.rstrip("."))
        self._resolve = resolver

    def check(self, url: str) -> Target:
        """Return where to connect for ``url``.

        Raises:
            CallbackRefused: the scheme, host or any resolved address is not allowed.
        """
        if len(url) > MAX_URL_CHARS:
            raise CallbackRefused(f"callback URL is longer than {MAX_URL_CHARS} characters")
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise CallbackRefused(f"callback URL does not parse: {exc}") from None
        host = (parts.hostname or "").rstrip(".")
        if parts.scheme not in ("http", "https") or not host:
            raise CallbackRefused("callback URL must be http:// or https:// with a host")
        if parts.username is not None or parts.password is not None:
            raise CallbackRefused("callback URL must not carry credentials; use secret_name")
        if self.patterns and not _is_address(host):
            if not any(fnmatch.fnmatchcase(host, pattern) for pattern in self.patterns):
                raise CallbackRefused(f"callback host {host!r} is not in NEWSBRIEF_CALLBACK_ALLOW")
        try:
            found = [host] if _is_address(host) else self._resolve(host, port)
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
        except (OSError, ValueError, UnicodeError):
            raise CallbackRefused(f"callback host {host!r} does not resolve") from None
        if not addresses:
            raise CallbackRefused(f"callback host {host!r} does not resolve")
        for address in addresses:
            if not self._allowed(address):
                raise CallbackRefused(
                    f"callback host {host!r} resolves to a non-public address ({address}); "
                    "list its network in NEWSBRIEF_CALLBACK_ALLOW to allow it"
                )
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        return Target(parts.scheme, host, port, path, str(addresses[0]))

    def _allowed(self, address: IpAddress) -> bool:
        mapped = getattr(address, "ipv4_mapped", None)
        plain: IpAddress = mapped if mapped is not None else address
        if any(plain in network for network in self.networks if network.version == plain.version):
            return True
        return plain.is_global and not plain.is_multicast


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def send(
    target: Target, body: bytes, secret: str, headers: dict[str, str], timeout_s: float
) -> Outcome:
    """POST a signed body to a checked target; never raises."""
    timestamp = str(int(time.time()))
    sent = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body), **headers,
    }  # fmt: skip
    connection = _connection(target, timeout_s)
    try:
        connection.request("POST", target.path, body=body, headers=sent)
        response = connection.getresponse()
        response.read(64 * 1024)
        return Outcome(response.status, None if response.status < 300 else response.reason)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:200])
    finally:
        connection.close()


def _connection(target: Target, timeout_s: float) -> http.client.HTTPConnection:
    """Open to the checked address while naming the host (Host header, TLS SNI and certificate)."""
    context = ssl.create_default_context() if target.scheme == "https" else None

    class Pinned(http.client.HTTPConnection):
        def connect(self) -> None:
            raw = socket.create_connection((target.address, target.port), timeout_s)
            self.sock = (
                raw if context is None else context.wrap_socket(raw, server_hostname=target.host)
            )

    return Pinned(target.host, target.port, timeout=timeout_s)


def payload(job_public: dict[str, Any]) -> bytes:
    """Return the callback body: the job as ``GET /v1/jobs/{id}`` shows it."""
    return json.dumps(job_public, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_secrets(raw: str) -> dict[str, str]:
    """Parse ``NEWSBRIEF_CALLBACK_SECRETS`` (``name:secret,name:secret``); raise ValueError on a bad entry."""
    named: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, secret = entry.partition(":")
        if not sep or not name or len(secret) < 16:
            raise ValueError(
                f"entry {name[:12]!r} is not name:secret with a secret of 16+ characters"
            )
        named[name] = secret
    return named
