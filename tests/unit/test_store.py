"""The store backends' one contract, the SQLite store that a host's workers share, and the failure policies."""

import threading
import time
from pathlib import Path

import pytest

from service.errors import StateUnavailable
from service.store.base import Store
from service.store.base import StoreUnavailable
from service.store.jobs import SqliteJobTable
from service.store.memory import MemoryStore
from service.store.policy import FailClosed
from service.store.policy import FailOpen
from service.store.policy import FallBack
from service.store.sqlite import SqliteStore


def test_sqlite_store_is_shared_between_instances(tmp_path: Path) -> None:
    first, second = SqliteStore(str(tmp_path), "p:"), SqliteStore(str(tmp_path), "p:")
    assert first.add("k", "v", 60)
    assert not second.add("k", "other", 60)
    assert second.get("k") == "v"
    second.put("k", "w", 60)
    assert first.get("k") == "w"
    first.delete("k")
    assert second.get("k") is None


def test_sqlite_store_entries_expire(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path), "p:")
    assert store.add("k", "v", 0.05)
    time.sleep(0.1)
    assert store.get("k") is None
    assert store.add("k", "v", 60)


def test_sqlite_store_add_is_atomic_across_threads(tmp_path: Path) -> None:
    stores = [SqliteStore(str(tmp_path), "p:") for _ in range(8)]
    wins: list[bool] = []
    barrier = threading.Barrier(len(stores))

    def claim(store: SqliteStore) -> None:
        barrier.wait()
        wins.append(store.add("job", "mine", 60))

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 1


@pytest.mark.parametrize("open_store", [
    lambda folder: SqliteStore(folder, "p:").check(),
    lambda folder: SqliteJobTable(folder, 60).held(),
], ids=["store", "jobs"])  # fmt: skip
def test_sqlite_files_open_fresh_in_many_threads_at_once(tmp_path: Path, open_store) -> None:
    """Workers starting together on a new file: switching it to WAL must not fail as "locked"."""
    errors: list[BaseException] = []
    for attempt in range(40):  # the race lost about one fresh file in fifteen before the lock
        folder = str(tmp_path / str(attempt))
        barrier = threading.Barrier(8)

        def open_now(folder: str = folder, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                open_store(folder)
            except Exception as exc:  # noqa: BLE001 - collected, asserted below
                errors.append(exc)

        threads = [threading.Thread(target=open_now) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


def test_sqlite_store_prefixes_keep_uses_apart(tmp_path: Path) -> None:
    idempotency, replays = SqliteStore(str(tmp_path), "idem:"), SqliteStore(str(tmp_path), "sig:")
    assert idempotency.add("k", "v", 60)
    assert replays.add("k", "v", 60)


def check_store_contract(store: Store) -> None:
    """What every backend gives its users: expiry, insert-if-absent, atomic update, a health probe."""
    assert store.get("absent") is None
    store.put("k", "v", 60)
    assert store.get("k") == "v" and store.add("k", "w", 60) is False and store.get("k") == "v"
    assert store.add("fresh", "1", 60) is True
    bump = lambda old: (str(int(old or 0) + 1), int(old or 0))  # noqa: E731
    assert [store.update("n", bump, 60) for _ in range(3)] == [0, 1, 2]
    assert store.get("n") == "3"
    store.delete("k")
    assert store.get("k") is None and store.add("k", "again", 60) is True
    store.check()


def test_memory_store_contract() -> None:
    check_store_contract(MemoryStore(1024 * 1024, 60))


def test_sqlite_store_contract(tmp_path: Path) -> None:
    check_store_contract(SqliteStore(str(tmp_path), "p:"))


def corrupt(folder: Path) -> None:
    """Overwrite the store file with bytes that are not a database (what a bad disk leaves)."""
    (folder / "store.sqlite3").write_bytes(b"this is not a database " * 512)
    for extra in ("store.sqlite3-wal", "store.sqlite3-shm"):
        (folder / extra).unlink(missing_ok=True)


def test_a_corrupt_sqlite_file_raises_on_every_operation(tmp_path: Path) -> None:
    corrupt(tmp_path)
    store = SqliteStore(str(tmp_path), "p:")  # opening is lazy: the app still starts
    bump = lambda old: ("1", 0)  # noqa: E731
    for operation in (
        lambda: store.get("k"), lambda: store.put("k", "v", 60), lambda: store.add("k", "v", 60),
        lambda: store.update("k", bump, 60), lambda: store.delete("k"), store.check,
    ):  # fmt: skip
        with pytest.raises(StoreUnavailable):
            operation()


class Broken:
    """A backend whose every operation fails (Redis down, a disk full)."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object) -> object:
            raise StoreUnavailable("broken")

        return fail


def test_fail_closed_refuses_where_the_old_store_guessed() -> None:
    """No "stored" for a replay check, no claim for an Idempotency-Key: a 503 instead."""
    guarded = FailClosed(Broken(), "replays")  # type: ignore[arg-type]
    for operation in (lambda: guarded.add("sig", "1", 60), lambda: guarded.get("k"),
                      lambda: guarded.put("k", "v", 1), lambda: guarded.delete("k")):  # fmt: skip
        with pytest.raises(StateUnavailable):
            operation()
    assert guarded.problem() is not None


def test_fall_back_keeps_limiting_in_memory_and_fail_open_misses() -> None:
    local = MemoryStore(64 * 1024, 60)
    buckets = FallBack(Broken(), "rate", local)  # type: ignore[arg-type]
    take = lambda old: (str(int(old or 3) - 1), int(old or 3))  # noqa: E731
    assert [buckets.update("cms", take, 60) for _ in range(3)] == [3, 2, 1]  # kept, locally
    cache = FailOpen(Broken(), "results")  # type: ignore[arg-type]
    cache.put("k", "v", 60)
    assert cache.get("k") is None


def test_a_store_that_failed_recently_is_not_ready_even_if_it_answers_now(tmp_path: Path) -> None:
    guarded = FailClosed(SqliteStore(str(tmp_path), "p:"), "idempotency")
    assert guarded.problem() is None
    guarded._failed(StoreUnavailable("disk full"))
    assert guarded.problem() is not None
