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

import contextlib
import fnmatch
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
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

logger = logging.getLogger(__name__)

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
        parts, port, host = _parse(url)
        literal = _is_address(host)
        if self.patterns and literal and not self._listed(ipaddress.ip_address(host)):
            raise CallbackRefused(
                "callback host is an IP address outside NEWSBRIEF_CALLBACK_ALLOW; "
                "use an allowed name, or list the address's network"
            )
        if self.patterns and not literal:
            if not any(fnmatch.fnmatchcase(host, pattern) for pattern in self.patterns):
                raise CallbackRefused(f"callback host {host!r} is not in NEWSBRIEF_CALLBACK_ALLOW")
        try:
            found = [host] if literal else self._resolve(host, port)
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
        except (OSError, ValueError, UnicodeError):
            raise CallbackRefused(f"callback host {host!r} does not resolve") from None
        if not addresses:
            raise CallbackRefused(f"callback host {host!r} does not resolve")
        for address in addresses:
            if not self._allowed(address):
                # The address stays in the log: in the answer it would map internal DNS.
                logger.warning("callback_refused host=%s address=%s", host, address)
                raise CallbackRefused(
                    f"callback host {host!r} resolves to a non-public address; "
                    "list its network in NEWSBRIEF_CALLBACK_ALLOW to allow it"
                )
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        return Target(parts.scheme, host, port, path, str(addresses[0]))

    def _listed(self, address: IpAddress) -> bool:
        return any(address in net for net in self.networks if net.version == address.version)

    def _allowed(self, address: IpAddress) -> bool:
        if self._listed(address):
            return True
        plain = public_form(address)
        if plain is None:
            return False
        if plain is not address and self._listed(plain):
            return True
        return plain.is_global and not plain.is_multicast


def _parse(url: str) -> tuple[urllib.parse.SplitResult, int, str]:
    """Split a callback URL that can work: http(s), a host, a real port, no credentials."""
    if len(url) > MAX_URL_CHARS:
        raise CallbackRefused(f"callback URL is longer than {MAX_URL_CHARS} characters")
    if not url.isprintable() or any(char.isspace() for char in url):
        raise CallbackRefused("callback URL must not hold spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise CallbackRefused(f"callback URL does not parse: {exc}") from None
    if parts.port == 0:
        raise CallbackRefused("callback URL port must be 1 to 65535")
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        raise CallbackRefused("callback URL must be http:// or https:// with a host")
    if parts.username is not None or parts.password is not None:
        raise CallbackRefused("callback URL must not carry credentials; use secret_name")
    return parts, port, host


# IPv6 forms that carry an IPv4 address (RFC 6052 NAT64, RFC 6145 SIIT): judged
# by the address they carry. Tunnels and retired forms (6to4, Teredo, IPv4-
# compatible, local-use NAT64, site-local) and the 6to4 relay anycast are never public.
_CARRIERS = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "::ffff:0:0:0/96"))
_NEVER = tuple(
    ipaddress.ip_network(n)
    for n in ("2002::/16", "2001::/32", "::/96", "64:ff9b:1::/48", "fec0::/10", "192.88.99.0/24")
)


def public_form(address: IpAddress) -> IpAddress | None:
    """Return the address to judge: the IPv4 one an IPv6 form carries; None if never allowed."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if any(address in network for network in _CARRIERS):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in net for net in _NEVER if net.version == address.version):
        return None
    return address


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def send(
    target: Target, body: bytes, secret: str, headers: dict[str, str], timeout_s: float
) -> Outcome:
    """POST a signed body to a checked target within ``timeout_s`` in all; never raises.

    The deadline is for the whole attempt (connect, TLS, send, the answer),
    not per socket read: a receiver that dribbles a byte every few seconds
    is cut off when it passes, so it holds a callback thread for one
    deadline at most.
    """
    timestamp = str(int(time.time()))
    sent = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body), **headers,
    }  # fmt: skip
    connection = _PinnedConnection(target, timeout_s)
    deadline = threading.Timer(timeout_s, connection.abort)
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=sent)
        response = connection.getresponse()
        response.read(64 * 1024)
        return Outcome(response.status, None if response.status < 300 else response.reason)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if connection.aborted:
            return Outcome(None, f"no complete answer within the {timeout_s:g} s deadline")
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:200])
    finally:
        deadline.cancel()
        connection.close()


class _PinnedConnection(http.client.HTTPConnection):
    """Connect to the checked address while naming the host (Host header, TLS SNI, certificate)."""

    def __init__(self, target: Target, timeout_s: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout_s)
        self._target = target
        self._raw: socket.socket | None = None
        self.aborted = False

    def connect(self) -> None:
        target = self._target
        self._raw = socket.create_connection((target.address, target.port), self.timeout)
        if self.aborted:  # the deadline passed while connecting
            raise TimeoutError("deadline passed")
        if target.scheme == "https":
            context = ssl.create_default_context()
            self.sock = context.wrap_socket(self._raw, server_hostname=target.host)
        else:
            self.sock = self._raw

    def abort(self) -> None:
        """Cut the attempt off (from the deadline's timer thread): the blocked read fails."""
        self.aborted = True
        if self._raw is not None:
            with contextlib.suppress(OSError):
                self._raw.shutdown(socket.SHUT_RDWR)


def payload(job_public: dict[str, Any]) -> bytes:
    """Return the callback body: the job as ``GET /v1/jobs/{id}`` shows it."""
    return json.dumps(job_public, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def may_sign(owner: str, secret_name: str, keyed: bool) -> bool:
    """Tell whether the key ``owner`` may have callbacks signed with ``secret_name``.

    A secret vouches for content to one CMS. With API keys configured, a key
    signs only with the secret named after it (``cms``) or under its name
    (``cms/staging``), so no tenant can send a correctly signed delivery to
    another tenant's CMS. Without keys there is one tenant, and any secret.
    """
    if not keyed:
        return True
    return secret_name == owner or secret_name.startswith(owner + "/")


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
