"""The gthread worker: busy workers leave new connections to idle ones; problem+json errors.

Load balance. gthread workers race to accept each connection whatever they
are doing, and a keep-alive connection then stays with the worker that
accepted it. On CPU each worker runs one generation at a time, so the
connections of persistent clients (nginx's upstream pool, a backfill) split
6/2 or 7/1 between two workers and one core idles while requests queue on
the other (measured, bench/README.md). So a worker that has requests in
flight waits a few milliseconds before it accepts, letting a free worker
take the connection (placement when clients connect at once), and a
worker that is handling long requests (over ``LONG_REQUEST_S``:
generations, not box or probe calls) answers any other request with
``Connection: close``, so that client's next request is placed again. A
lone client, and every client while the work is short, keeps its
connection.

Errors. gunicorn answers a malformed request line or an oversized header itself
(400, 414, 431, ...) with an HTML page that echoes the offending text, and
names itself in a ``Server`` header on every response. Neither is a
setting, so this worker replaces the two functions that write them; it is
imported only by the gunicorn processes (``worker_class`` in
``service.gunicorn_conf``), never by the app.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_BASE = "https://newsbrief.dev/problems/"
LONG_REQUEST_S = 0.1  # a request handled for longer makes its worker busy
ACCEPT_DELAY_S = 0.005  # per request in flight
MAX_ACCEPT_DELAY_S = 0.02  # bounds what a probe can wait when every worker is busy


def write_problem(sock: socket.socket, status: int, reason: str, message: str) -> None:
    """Write a fixed problem+json answer; the client's text is never echoed."""
    body = json.dumps(
        {
            "type": PROBLEM_BASE + reason.lower().replace(" ", "-"),
            "title": reason,
            "status": status,
            "detail": "the request could not be read as HTTP/1.1 within the server's limits",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


_default_headers = wsgi.Response.default_headers


def _headers_without_server(self: Any) -> list[str]:
    return [h for h in _default_headers(self) if not h.startswith("Server:")]


class ProblemThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker: load-aware accepts, problem+json errors, no Server header."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up the ordinary worker and an empty record of requests being handled."""
        super().__init__(*args, **kwargs)
        # When each request now in a handler thread started, by connection. Time
        # queued for a thread does not count: a burst of short calls is not busy.
        self.running: dict[int, float] = {}
        self.in_flight = 0  # handed to the thread pool, not finished (main thread only)

    def init_process(self) -> None:
        """Swap in the two writers, then run the ordinary worker."""
        util.write_error = write_problem
        wsgi.Response.default_headers = _headers_without_server
        super().init_process()

    def long_requests(self) -> int:
        """Count requests handled for over ``LONG_REQUEST_S``."""
        now = time.monotonic()
        starts = tuple(self.running.values())  # one step under the GIL
        return sum(now - t > LONG_REQUEST_S for t in starts)

    def enqueue_req(self, conn: Any) -> None:
        """Hand a connection to the thread pool, counting it in flight."""
        self.in_flight += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        """Count the request done (each enqueue ends here once), then let gthread finish it."""
        self.in_flight -= 1
        super().finish_request(conn, fs)

    def accept(self, listener: Any) -> None:
        """Accept a connection; a worker with requests in flight first lets free ones take it.

        Counted from the hand-over, not from a long run: clients that connect
        at the same moment are spread before any of their requests has run.
        """
        if self.in_flight:
            time.sleep(min(self.in_flight * ACCEPT_DELAY_S, MAX_ACCEPT_DELAY_S))
        super().accept(listener)  # EAGAIN when another worker took it: ignored there

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Serve a request; close its connection after if long ones run beside it here.

        Checked before this request is recorded, so it never counts itself.
        """
        if self.long_requests():
            req.must_close = True
        self.running[id(conn)] = time.monotonic()
        try:
            return bool(super().handle_request(req, conn))
        finally:
            del self.running[id(conn)]
