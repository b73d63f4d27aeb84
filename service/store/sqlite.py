"""A key-value store in one SQLite file, shared by the gunicorn workers of a host.

Each thread has its own connection (WAL journal, busy timeout); ``add`` is
an atomic insert-if-absent and ``update`` a read-change-write inside one
``BEGIN IMMEDIATE`` transaction, so a promise such as "the same
Idempotency-Key runs once" holds across the workers of ``newsbrief serve``.
Every failure (a corrupt file, a full disk, a lock past the busy timeout)
raises ``StoreUnavailable``; the caller's policy decides what it means.
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import TypeVar

from service.store.base import Change
from service.store.base import StoreUnavailable

T = TypeVar("T")

FILE_NAME = "store.sqlite3"
PURGE_EVERY = 500  # writes between deletions of expired rows
_SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL)"
_PROBE = "nb:probe"


class SqliteStore:
    """Store entries with expiry in ``<folder>/store.sqlite3`` under ``prefix``."""

    shared = False  # this host (or process) only

    def __init__(self, folder: str, prefix: str) -> None:
        """Remember the file; it is opened (and its table made) on first use in each thread."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._connections = ThreadConnections(str(Path(folder) / FILE_NAME), _create)
        self._prefix = prefix
        self._writes = 0

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return work(self._connections.get())
        except (sqlite3.Error, OSError) as exc:  # OSError: the lock file cannot be opened
            raise StoreUnavailable(f"sqlite: {type(exc).__name__}: {exc}") from exc

    def get(self, key: str) -> str | None:
        """Return the value of a live entry, or None."""
        row: Any = self._run(
            lambda db: db.execute(
                "SELECT value FROM kv WHERE key = ? AND expires > ?",
                (self._prefix + key, time.time()),
            ).fetchone()
        )
        return None if row is None else str(row[0])

    def put(self, key: str, value: str, ttl: float) -> None:
        """Store a value for ``ttl`` seconds."""
        self._write(
            "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
            (self._prefix + key, value, time.time() + ttl),
        )

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store only if absent (or expired); True when this call stored it."""
        now = time.time()

        def work(db: sqlite3.Connection) -> bool:
            with immediate(db):
                db.execute(
                    "DELETE FROM kv WHERE key = ? AND expires <= ?", (self._prefix + key, now)
                )
                cursor = db.execute(
                    "INSERT OR IGNORE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                    (self._prefix + key, value, now + ttl),
                )
            return cursor.rowcount == 1

        stored = self._run(work)
        self._purge_now_and_then()
        return stored

    def update(self, key: str, change: Change[T], ttl: float) -> T:
        """Read, change and write one entry in one write transaction; return ``change``'s result."""
        now = time.time()

        def work(db: sqlite3.Connection) -> T:
            with immediate(db):
                row = db.execute(
                    "SELECT value FROM kv WHERE key = ? AND expires > ?", (self._prefix + key, now)
                ).fetchone()
                value, result = change(None if row is None else str(row[0]))
                db.execute(
                    "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                    (self._prefix + key, value, now + ttl),
                )
            return result

        result = self._run(work)
        self._purge_now_and_then()
        return result

    def delete(self, key: str) -> None:
        """Remove a key."""
        self._write("DELETE FROM kv WHERE key = ?", (self._prefix + key,))

    def check(self) -> None:
        """Write and read back a probe entry (a corrupt file or a full disk fails here)."""
        self.put(_PROBE, str(time.time()), 60)
        if self.get(_PROBE) is None:
            raise StoreUnavailable("sqlite: the probe entry did not read back")

    def _write(self, sql: str, values: tuple[object, ...]) -> None:
        self._run(lambda db: db.execute(sql, values))
        self._purge_now_and_then()

    def _purge_now_and_then(self) -> None:
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            self._run(lambda db: db.execute("DELETE FROM kv WHERE expires <= ?", (time.time(),)))


def _create(db: sqlite3.Connection) -> None:
    db.execute(_SCHEMA)


class ThreadConnections:
    """One connection to one SQLite file per thread, opened (and set up) on first use."""

    def __init__(
        self, path: str, setup: Callable[[sqlite3.Connection], object] | None = None
    ) -> None:
        """Remember the file and what a new connection runs first (its schema); nothing is opened yet."""
        self._path = path
        self._setup = setup
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        """Return this thread's connection (raises ``sqlite3.Error`` if it cannot open)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self._path, self._setup)
            self._local.db = db
        return db


def connect(
    path: str, setup: Callable[[sqlite3.Connection], object] | None = None
) -> sqlite3.Connection:
    """Open a connection for one thread: autocommit, WAL journal, a 5 s busy timeout.

    Switching a new file to WAL takes an exclusive lock that SQLite does not
    wait for (the busy timeout does not cover it), so workers opening a fresh
    file at once would fail with "database is locked". The switch and
    ``setup`` (a schema, its migration) therefore run one opener at a time,
    under an ``flock`` on a file beside the database (threads and processes
    alike).
    """
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    try:
        with open(path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            db.execute("PRAGMA journal_mode=WAL")
            if setup is not None:
                setup(db)
        db.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[None]:
    """Run a block as one write transaction that other processes wait for."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")  # a full disk fails here: roll back, or the next BEGIN fails too
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
