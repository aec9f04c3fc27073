"""The database outage helper (harness/stack/sqlite_lock.py) and its URL handling.

What SQLite does while the locks are held (statements fail after about 10 s) is shown by
tests/integration/faults/test_fault_effects.py; here, that the helper takes every
WAL-index lock, gives them back when it stops, and refuses files it cannot lock.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import StackError
from harness.stack.database import HELPER, DatabaseOutage, sqlite_path
from harness.stack.rundir import RunDir
from harness.stack.sqlite_lock import LOCK_OFFSETS
from tests.support.poll import wait_until


def _database(tmp_path: Path, wal: bool = True) -> Path:
    path = tmp_path / "target.db"
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


def _start(db: Path, ready: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, str(HELPER), "--ready", str(ready), "--timeout", "2", str(db)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _held(shm: Path) -> list[int]:
    """Lock bytes another process holds (probed without keeping any)."""
    fd = os.open(shm, os.O_RDWR)
    held = []
    try:
        for offset in LOCK_OFFSETS:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)
            except OSError:
                held.append(offset)
            else:
                fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)
    finally:
        os.close(fd)
    return held


def test_helper_holds_every_wal_index_lock_until_terminated(tmp_path: Path) -> None:
    db, ready = _database(tmp_path), tmp_path / "locked"
    helper = _start(db, ready)
    try:
        def reported() -> bool:
            assert helper.poll() is None, helper.communicate()
            return ready.exists()

        wait_until(reported, what="the helper to report its locks", interval=0.01, transient=())
        assert _held(Path(f"{db}-shm")) == list(LOCK_OFFSETS)
    finally:
        helper.terminate()
        out, _ = helper.communicate(timeout=5)
    assert helper.returncode == 0 and "released" in out
    assert _held(Path(f"{db}-shm")) == []
    assert sqlite3.connect(db).execute("SELECT count(*) FROM t").fetchone() == (0,)


@pytest.mark.parametrize(
    ("wal", "message"), [(False, "is not in WAL mode"), (None, "No such file")]
)
def test_helper_refuses_what_it_cannot_lock(tmp_path: Path, wal: bool | None, message: str) -> None:
    db = _database(tmp_path, wal) if wal is not None else tmp_path / "missing.db"
    helper = _start(db, tmp_path / "locked")
    _, err = helper.communicate(timeout=10)
    assert helper.returncode == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "locked").exists()


def test_sqlite_path_of_urls(tmp_path: Path) -> None:
    assert sqlite_path(f"sqlite:///{tmp_path}/t.db") == tmp_path / "t.db"
    assert sqlite_path("sqlite:///relative.db") == Path("relative.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql+psycopg://u:p@127.0.0.1/db") is None
    assert sqlite_path("not a url") is None


def test_outage_of_a_database_the_stack_does_not_run_is_refused(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path / "state")
    outage = DatabaseOutage("postgresql+psycopg://u:p@127.0.0.1:5432/school", run)
    with pytest.raises(StackError, match=r"its own PostgreSQL .*, and this target uses postgresql"):
        outage.new_process()
    with pytest.raises(StackError, match="not down"):
        outage.end(1.0)
    run.close()
