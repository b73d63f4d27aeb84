"""Which callback URLs the service calls (no SSRF), and one signed attempt against a real receiver."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from service.access.signatures import SIGNATURE_HEADER
from service.access.signatures import TIMESTAMP_HEADER
from service.client import verify_signature
from service.errors import CallbackRefused
from service.jobs.callbacks import JOB_HEADER
from service.jobs.callbacks import CallbackPolicy
from service.jobs.callbacks import parse_secrets
from service.jobs.callbacks import send

SECRET = "cms-callback-secret-0123456789"

# Every kind of non-public address, as a literal host and as what a name resolves to.
PRIVATE = (
    "10.0.0.1", "172.16.5.4", "192.168.1.20", "127.0.0.1", "127.8.9.10", "0.0.0.0",
    "169.254.169.254", "100.64.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255",
    "::1", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::",
)  # fmt: skip


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[str]:
        if host in table:
            return table[host]
        raise OSError("no such host")

    return resolve


def literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.mark.parametrize("address", PRIVATE)
def test_private_literal_addresses_are_refused(address: str) -> None:
    policy = CallbackPolicy("", resolver({address: [address]}))
    with pytest.raises(CallbackRefused, match="non-public"):
        policy.check(f"http://{literal(address)}/hook")


@pytest.mark.parametrize("address", PRIVATE)
def test_names_resolving_to_private_addresses_are_refused(address: str) -> None:
    """DNS is checked too: a public-looking name that points inside is refused."""
    policy = CallbackPolicy("", resolver({"cms.example.com": ["93.184.216.34", address]}))
    with pytest.raises(CallbackRefused, match="non-public"):
        policy.check("https://cms.example.com/hook")


def test_encoded_loopback_forms_are_refused_after_resolution() -> None:
    """Decimal, hex and short forms of 127.0.0.1 are what the system resolver turns them into."""
    policy = CallbackPolicy("")
    for host in ("2130706433", "0x7f000001", "127.1", "localhost"):
        with pytest.raises(CallbackRefused):
            policy.check(f"http://{host}:8080/hook")


def test_a_public_host_passes_and_is_pinned_to_the_checked_address() -> None:
    policy = CallbackPolicy("", resolver({"cms.example.com": ["93.184.216.34"]}))
    target = policy.check("https://cms.example.com:8443/hooks/newsbrief?site=3")
    assert (target.host, target.port, target.address) == ("cms.example.com", 8443, "93.184.216.34")
    assert target.path == "/hooks/newsbrief?site=3"


@pytest.mark.parametrize(
    "url",
    ["ftp://cms.example.com/x", "file:///etc/passwd", "gopher://cms.example.com/", "http:///x",
     "https://user:pw@cms.example.com/x", "http://cms.example.com:99999/x", "not a url",
     "https://cms.example.com/" + "x" * 3000,
     # never deliverable: retried for an hour before, now refused at once
     "https://cms.example.com/a\r\nX-Injected: 1", "https://cms.example.com/a\nb",
     "https://cms.example.com/a b", "https://cms.example.com/a\x00b", "https://cms.example.com/a\tb",
     "https://cms.example.com:0/x", "https://cms.example.com/\x7f", "https://cms.exa mple.com/"],
)  # fmt: skip
def test_malformed_or_unsafe_urls_are_refused(url: str) -> None:
    policy = CallbackPolicy("", resolver({"cms.example.com": ["93.184.216.34"]}))
    with pytest.raises(CallbackRefused):
        policy.check(url)


# IPv6 transition forms and relays that reach IPv4 space: judged by the IPv4
# address they carry, or (tunnels, retired forms) never public.
TRANSITION = (
    "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "64:ff9b::7f00:1",  # NAT64 to metadata, 10/8, loopback
    "::7f00:1", "::a9fe:a9fe",  # IPv4-compatible
    "::ffff:0:a9fe:a9fe", "::ffff:0:7f00:1",  # SIIT
    "2002:a9fe:a9fe::1", "2002:808:808::1",  # 6to4, whatever it carries
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b:1::a00:1", "fec0::1", "192.88.99.1",  # local-use NAT64, site-local, 6to4 relay
)  # fmt: skip


@pytest.mark.parametrize("address", TRANSITION)
def test_transition_forms_are_refused_as_literals_and_as_dns_answers(address: str) -> None:
    policy = CallbackPolicy("", resolver({"cms.example.com": [address]}))
    with pytest.raises(CallbackRefused, match="non-public"):
        policy.check(f"http://{literal(address)}/hook")
    with pytest.raises(CallbackRefused, match="non-public"):
        policy.check("http://cms.example.com/hook")


def test_nat64_to_a_public_address_passes_and_a_listed_inner_network_opens_it() -> None:
    assert CallbackPolicy("").check("http://[64:ff9b::5db8:d822]/x").address == "64:ff9b::5db8:d822"
    assert CallbackPolicy("10.0.0.0/8").check("http://[64:ff9b::a00:1]/x").port == 80


@pytest.mark.parametrize("address", ("127.0.0.1", "10.1.2.3", "fd00::1", "::1"))
def test_a_refusal_does_not_tell_where_a_name_points(address: str) -> None:
    """The 422 would map internal DNS for the caller: the address goes to the log only."""
    policy = CallbackPolicy("", resolver({"intranet.example.com": [address]}))
    with pytest.raises(CallbackRefused) as refused:
        policy.check("http://intranet.example.com/hook")
    assert address not in refused.value.detail


def test_an_ip_literal_does_not_bypass_the_host_list() -> None:
    policy = CallbackPolicy("cms.example.com", resolver({"cms.example.com": ["93.184.216.34"]}))
    assert policy.check("https://cms.example.com/hook").address == "93.184.216.34"
    for url in (
        "http://8.8.8.8/hook",
        "http://[2001:4860:4860::8888]/hook",
        "http://93.184.216.34/",
    ):
        with pytest.raises(CallbackRefused, match="IP address"):
            policy.check(url)
    assert CallbackPolicy("cms.example.com, 8.8.8.0/24").check("http://8.8.8.8/h").port == 80


def test_unresolvable_host_is_refused() -> None:
    with pytest.raises(CallbackRefused, match="does not resolve"):
        CallbackPolicy("", resolver({})).check("https://nowhere.example/x")


def test_host_patterns_limit_the_names() -> None:
    table = {"cms.newsroom.example": ["93.184.216.34"], "evil.example": ["93.184.216.35"]}
    policy = CallbackPolicy("*.newsroom.example, wire.example", resolver(table))
    assert policy.check("https://CMS.newsroom.example./x").host == "cms.newsroom.example"
    with pytest.raises(CallbackRefused, match="not in NEWSBRIEF_CALLBACK_ALLOW"):
        policy.check("https://evil.example/x")


def test_listed_networks_allow_private_addresses_and_nothing_else() -> None:
    table = {"cms.internal": ["10.20.3.4"], "db.internal": ["10.99.0.1"]}
    policy = CallbackPolicy("10.20.0.0/16, 127.0.0.1", resolver(table))
    assert policy.check("http://cms.internal/x").address == "10.20.3.4"
    assert policy.check("http://127.0.0.1:9000/x").address == "127.0.0.1"
    with pytest.raises(CallbackRefused):
        policy.check("http://db.internal/x")
    with pytest.raises(CallbackRefused):
        policy.check("http://127.0.0.2/x")


def test_a_host_pattern_does_not_open_private_addresses() -> None:
    policy = CallbackPolicy("cms.internal", resolver({"cms.internal": ["10.20.3.4"]}))
    with pytest.raises(CallbackRefused, match="non-public"):
        policy.check("http://cms.internal/x")


def test_callback_secrets_parse_and_refuse_weak_entries() -> None:
    assert parse_secrets(f"cms:{SECRET}, wire:{SECRET}x") == {"cms": SECRET, "wire": SECRET + "x"}
    for bad in ("cms", ":" + SECRET, "cms:short"):
        with pytest.raises(ValueError, match="name:secret"):
            parse_secrets(bad)


class Receiver(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    seen: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((dict(self.headers), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 200)
        self.send_header("Location", "http://169.254.169.254/")  # a redirect is never followed
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[http.server.HTTPServer]:
    Receiver.answers, Receiver.seen = [], []
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_send_posts_a_body_the_receiver_can_verify(receiver: http.server.HTTPServer) -> None:
    policy = CallbackPolicy("127.0.0.1")
    target = policy.check(f"http://127.0.0.1:{receiver.server_port}/hook?x=1")
    outcome = send(target, b'{"id":"j1"}', SECRET, {JOB_HEADER: "j1"}, timeout_s=5)
    assert outcome.ok and outcome.status == 200
    headers, body = Receiver.seen[0]
    assert json.loads(body) == {"id": "j1"} and headers[JOB_HEADER] == "j1"
    assert verify_signature(
        f"old-secret-abcdefghijkl,{SECRET}",
        headers[TIMESTAMP_HEADER],
        headers[SIGNATURE_HEADER],
        body,
    )
    assert not verify_signature("another-secret-0123456", headers[TIMESTAMP_HEADER],
                                headers[SIGNATURE_HEADER], body)  # fmt: skip


def test_send_reports_failures_without_raising(receiver: http.server.HTTPServer) -> None:
    policy = CallbackPolicy("127.0.0.1")
    target = policy.check(f"http://127.0.0.1:{receiver.server_port}/hook")
    Receiver.answers = [500, 302]
    first, second = (send(target, b"{}", SECRET, {}, timeout_s=5) for _ in range(2))
    assert (first.ok, first.status, second.ok, second.status) == (False, 500, False, 302)
    assert len(Receiver.seen) == 2  # the 302 was not followed
    receiver.shutdown()
    receiver.server_close()
    down = send(target, b"{}", SECRET, {}, timeout_s=2)
    assert not down.ok and down.status is None and down.error


def test_a_receiver_that_dribbles_its_answer_is_cut_off_at_the_attempt_deadline() -> None:
    """The deadline is per attempt, not per read: one byte every 0.2 s never resets it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    dribbled = []

    def dribble() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the sender hung up
                dribbled.append(byte)
                time.sleep(0.2)

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    target = CallbackPolicy("127.0.0.1").check(f"http://127.0.0.1:{port}/hook")
    outcome = send(target, b"{}", SECRET, {}, timeout_s=1)
    thread.join(timeout=30)
    listener.close()
    assert outcome.status is None and "deadline" in (outcome.error or "")
    assert len(dribbled) < 40  # about 5 of the 117 bytes: the answer was never waited out
