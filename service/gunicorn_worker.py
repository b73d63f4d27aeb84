"""The gthread worker, answering gunicorn's own errors as problem+json, no Server header.

gunicorn answers a malformed request line or an oversized header itself
(400, 414, 431, ...) with an HTML page that echoes the offending text, and
names itself in a ``Server`` header on every response. Neither is a
setting, so this worker replaces the two functions that write them; it is
imported only by the gunicorn processes (``worker_class`` in
``service.gunicorn_conf``), never by the app.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_BASE = "https://newsbrief.dev/problems/"


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
    """gunicorn's gthread worker with problem+json errors and no Server header."""

    def init_process(self) -> None:
        """Swap in the two writers, then run the ordinary worker."""
        util.write_error = write_problem
        wsgi.Response.default_headers = _headers_without_server
        super().init_process()
