"""Notice clients that hung up, so queued work for them is skipped.

The view records how to check its client's socket (gunicorn puts it in the
WSGI environ as ``gunicorn.socket``) in a context variable; the micro-batcher
checks it just before generating and drops the job if the peer has closed.
A non-blocking ``MSG_PEEK`` reads nothing from the stream.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

ClientCheck = Callable[[], bool]
client_gone: ContextVar[ClientCheck | None] = ContextVar("client_gone", default=None)


def socket_closed(sock: socket.socket) -> bool:
    """Tell whether the peer closed the connection (EOF waiting on the socket)."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False  # open, nothing to read: the client is waiting
    except OSError:
        return True


def check_for(environ: Mapping[str, Any]) -> ClientCheck | None:
    """Return a check for this request's client, when the server exposes its socket."""
    sock = environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket):
        return None
    return lambda: socket_closed(sock)
