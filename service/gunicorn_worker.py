"""The gthread worker: the least-loaded worker takes each connection; problem+json errors.

Load balance. gthread workers race to accept each connection whatever they
are doing, and a keep-alive connection then stays with the worker that
accepted it. So the connections of persistent clients (nginx's upstream
pool, a backfill, a load tester) split 6/2, 7/1 or 12/4 between two
workers, and requests queue on one while the other has little to do
(measured, bench/README.md). So the workers publish their open connections
in a small table in memory shared with the master (``LoadTable``), and a
worker listens for new connections only while no other worker holds fewer:
every new connection goes to a least-loaded worker, and one waiting in the
listen backlog is taken by the first of them whose loop turns. A worker
holding two connections more than a sibling (one more while long requests,
over ``LONG_REQUEST_S``, run here: generations, not box or probe calls)
answers with ``Connection: close``, so that client's next request is placed
again. A lone client keeps its connection. A worker booting or stopping
holds a slot marked resting, which no sibling waits on, and a worker due
for its ``max_requests`` recycle waits while a sibling rests, so two
workers are never down at once.

Errors. gunicorn answers a malformed request line or an oversized header itself
(400, 414, 431, ...) with an HTML page that echoes the offending text, and
names itself in a ``Server`` header on every response. Neither is a
setting, so this worker replaces the two functions that write them; it is
imported only by the gunicorn processes (``worker_class`` in
``service.gunicorn_conf``), never by the app.
"""

from __future__ import annotations

import json
import mmap
import socket
import time
from collections.abc import Iterable
from typing import Any

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.workers.gthread import ThreadWorker

PROBLEM_BASE = "https://newsbrief.dev/problems/"
LONG_REQUEST_S = 0.1  # a request handled for longer makes its worker busy
GATED_WAIT_S = 0.05  # how often a worker that is not listening looks at the table again
FREE = -1  # a table slot that no live worker holds
# A slot whose worker takes no connections: booting (importing, loading its
# engine) or stopping (recycled after max_requests, or shutting down).
RESTING = -2
RECYCLE_WAIT = 100  # requests a due recycle waits, again and again, while a sibling rests


class LoadTable:
    """Each worker's open connections, in memory the master shares with the workers it forks.

    Made by the master before it forks (an anonymous shared mapping), so
    every worker reads its siblings' counts without a lock or a system
    call: each slot has one writer, its worker, and an aligned 4-byte store
    is never read half-written. The master hands out the slots and frees
    them (``pre_fork``, ``child_exit`` in ``service.gunicorn_conf``).
    """

    def __init__(self, slots: int) -> None:
        """Make ``slots`` free slots."""
        self._memory = mmap.mmap(-1, 4 * slots)
        self.loads = memoryview(self._memory).cast("i")
        for slot in range(slots):
            self.loads[slot] = FREE

    def claim(self, held: Iterable[int]) -> int:
        """Return the first slot not in ``held`` (the live workers'), marked resting.

        Resting until its worker publishes a count from its serving loop: a
        replacement booting for two seconds that read as holding nothing
        would stop its siblings listening and make them hand back every
        connection, so that no worker took any (p99 1.2 s at a recycle).
        """
        taken = set(held)
        slot = next(n for n in range(len(self.loads)) if n not in taken)
        self.loads[slot] = RESTING
        return slot

    def free(self, slot: int) -> None:
        """Drop a dead worker's count."""
        self.loads[slot] = FREE

    def other_resting(self, slot: int) -> bool:
        """Tell whether another worker holds a slot but takes no connections."""
        return any(load == RESTING for n, load in enumerate(self.loads) if n != slot)

    def least_other(self, slot: int) -> int | None:
        """Return the fewest connections any other serving worker holds (None: no other)."""
        others = [load for n, load in enumerate(self.loads) if n != slot and load >= 0]
        return min(others, default=None)


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
    """gunicorn's gthread worker: least-loaded accepts, problem+json errors, no Server header."""

    nr: int  # requests served (gunicorn's)
    max_requests: int  # served when gunicorn recycles this worker (its max_requests + jitter)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up the ordinary worker and an empty record of requests being handled."""
        super().__init__(*args, **kwargs)
        # When each request now in a handler thread started, by connection. Time
        # queued for a thread does not count: a burst of short calls is not busy.
        self.running: dict[int, float] = {}

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

    def least_other(self) -> int | None:
        """Return the fewest connections a sibling holds (None: no table, or no sibling).

        Connections, not requests: a kept-alive client brings its next
        request to the same worker, so what a worker holds is what it will
        have to serve. Read from the table the workers share (set on the
        worker by ``service.gunicorn_conf``'s ``pre_fork``).
        """
        table: LoadTable | None = getattr(self, "load_table", None)
        return None if table is None else table.least_other(self.slot)

    def publish(self) -> None:
        """Write this worker's open connections to the shared table, if it has one.

        A stopping worker (``alive`` false: recycled, or shutting down)
        writes ``RESTING``: it takes no new connection, so its siblings must
        not wait for it to.
        """
        table: LoadTable | None = getattr(self, "load_table", None)
        if table is not None:
            table.loads[self.slot] = self.nr_conns if self.alive else RESTING

    def has_room(self) -> bool:
        """Tell whether this worker should take a new connection: no sibling holds fewer."""
        least = self.least_other()
        return least is None or self.nr_conns <= least

    def set_accept_enabled(self, enabled: bool) -> None:
        """Listen for new connections only while ``has_room`` says so."""
        super().set_accept_enabled(enabled and self.has_room())

    def accept(self, listener: Any) -> None:
        """Accept a connection (EAGAIN when a sibling took it first), then publish the count."""
        super().accept(listener)
        self.publish()

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        """Publish, decide again whether to listen, then wait; a gated one looks again soon.

        The loop turns after every event of this worker (a request done, a
        connection closed); a sibling's growing load wakes nothing here, so
        a worker that is not listening waits at most ``GATED_WAIT_S``.
        """
        self.publish()
        if self.alive:
            self.set_accept_enabled(self.nr_conns < self.worker_connections)
            if not self._accepting:
                timeout = min(timeout, GATED_WAIT_S)
        super().wait_for_and_dispatch_events(timeout)

    def should_hand_back(self) -> bool:
        """Tell whether to close the connection after this answer, for its client to be placed again.

        When this worker holds two connections more than a sibling, or any
        more while long requests run here (a generation holds its thread for
        seconds). Checked before this request is recorded, so it never
        counts itself: a lone client keeps its connection.
        """
        least = self.least_other()
        if least is None:
            return bool(self.long_requests())  # no table: hand back beside long requests
        surplus = self.nr_conns - least
        return surplus > 1 or (surplus > 0 and bool(self.long_requests()))

    def defer_recycle(self) -> None:
        """Put off a recycle due now (``max_requests``) while a sibling boots or stops.

        Their request counts run level, so two workers come due within
        seconds of each other, and a replacement takes about two seconds to
        import and load: recycled together, no worker served for a second
        (p99 1.2 s in a 20 s load run). A recycle waits ``RECYCLE_WAIT``
        requests at a time until no sibling rests; a sibling that never
        comes up is killed at the worker timeout and its slot freed.
        """
        table: LoadTable | None = getattr(self, "load_table", None)
        if (
            table is not None
            and self.nr + 1 >= self.max_requests
            and table.other_resting(self.slot)
        ):
            self.max_requests = self.nr + 1 + RECYCLE_WAIT

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Serve a request; close its connection after when ``should_hand_back`` says so."""
        self.defer_recycle()
        if self.should_hand_back():
            req.must_close = True
        self.running[id(conn)] = time.monotonic()
        try:
            return bool(super().handle_request(req, conn))
        finally:
            del self.running[id(conn)]
