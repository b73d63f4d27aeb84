"""The SQLite store that the workers of one host share."""

import threading
import time
from pathlib import Path

from service.sqlitestore import SqliteStore


def test_sqlite_store_is_shared_between_instances(tmp_path: Path) -> None:
    first, second = SqliteStore(str(tmp_path), "p:"), SqliteStore(str(tmp_path), "p:")
    assert first.add("k", "v", 60)
    assert not second.add("k", "other", 60)
    assert second.get("k") == "v"
    second.set("k", "w", 60)
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


def test_sqlite_store_prefixes_keep_uses_apart(tmp_path: Path) -> None:
    idempotency, replays = SqliteStore(str(tmp_path), "idem:"), SqliteStore(str(tmp_path), "sig:")
    assert idempotency.add("k", "v", 60)
    assert replays.add("k", "v", 60)
