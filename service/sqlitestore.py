"""A key-value store in one SQLite file, shared by the gunicorn workers of a host.

Backs Idempotency-Key answers and webhook replay protection when no Redis
is configured, so a promise such as "the same key is generated once" holds
across the workers of ``newsbrief serve``, not only inside one process.
Each thread has its own connection (WAL journal, busy timeout); ``add`` is
an atomic insert-if-absent. Failures are logged and counted like Redis
failures, never raised.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

FILE_NAME = "store.sqlite3"
PURGE_EVERY = 500  # writes between deletions of expired rows
_SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL)"


class SqliteStore:
    """Store entries with expiry in ``<folder>/store.sqlite3`` under ``prefix``."""

    def __init__(self, folder: str, prefix: str) -> None:
        """Create the folder and table if needed."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._connections = ThreadConnections(str(Path(folder) / FILE_NAME))
        self._prefix = prefix
        self._writes = 0
        self.errors = 0
        self._run(lambda db: _execute(db, _SCHEMA), None)

    def _run(self, work: Callable[[sqlite3.Connection], T], default: T) -> T:
        try:
            return work(self._connections.get())
        except sqlite3.Error as exc:
            self.errors += 1
            logger.warning("store_unavailable backend=sqlite error=%s", type(exc).__name__)
            return default

    def get(self, key: str) -> str | None:
        """Return the value of a live entry, or None."""
        row: Any = self._run(
            lambda db: db.execute(
                "SELECT value FROM kv WHERE key = ? AND expires > ?",
                (self._prefix + key, time.time()),
            ).fetchone(),
            None,
        )
        return None if row is None else str(row[0])

    def set(self, key: str, value: str, ttl: float) -> None:
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

        stored: bool = self._run(work, True)
        self._purge_now_and_then()
        return stored

    def update(self, key: str, change: Callable[[str | None], tuple[str, T]], ttl: float) -> T:
        """Read, change and write one entry atomically across processes; return ``change``'s result.

        ``change`` gets the live value (or None) and returns the new value
        and the result. If the store fails, ``change(None)``'s result is
        returned, as if the entry were new.
        """
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

        try:
            return self._run(work, change(None)[1])
        finally:
            self._purge_now_and_then()

    def delete(self, key: str) -> None:
        """Remove a key."""
        self._write("DELETE FROM kv WHERE key = ?", (self._prefix + key,))

    def _write(self, sql: str, values: tuple[object, ...]) -> None:
        self._run(lambda db: _execute(db, sql, values), None)
        self._purge_now_and_then()

    def _purge_now_and_then(self) -> None:
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            self._run(
                lambda db: db.execute("DELETE FROM kv WHERE expires <= ?", (time.time(),)), None
            )


class ThreadConnections:
    """One connection to one SQLite file per thread, opened on first use."""

    def __init__(self, path: str) -> None:
        """Remember the file; nothing is opened yet."""
        self._path = path
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        """Return this thread's connection (raises ``sqlite3.Error`` if it cannot open)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self._path)
        return db


def connect(path: str) -> sqlite3.Connection:
    """Open a connection for one thread: autocommit, WAL journal, a 5 s busy timeout."""
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def _execute(db: sqlite3.Connection, sql: str, values: tuple[object, ...] = ()) -> None:
    db.execute(sql, values)


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[None]:
    """Run a block as one write transaction that other processes wait for."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
