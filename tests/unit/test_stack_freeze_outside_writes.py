"""A target process is frozen outside a SQLite write (harness.stack.database), with a
real writer: a process that holds the file's write lock nine tenths of the time. Frozen
at a blind moment it would mostly keep the lock (every other writer waits, then fails);
``freeze_outside_writes`` must leave it frozen with the lock free, every time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.stack.database import freeze_outside_writes, sqlite_write_lock_free
from tests.support.poll import wait_until

WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
print("ready", flush=True)
while True:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t VALUES (1)")
    time.sleep(0.009)  # inside the write: the lock is held
    conn.execute("COMMIT")
    time.sleep(0.001)
"""


class _Frozen:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.pauses = 0

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)
        self.pauses += 1

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "target.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x INTEGER)")
    return path


@pytest.fixture
def writer(database: Path) -> Iterator[_Frozen]:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(database)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield _Frozen(proc.pid)
    os.kill(proc.pid, signal.SIGCONT)
    proc.kill()
    proc.wait()


def test_the_lock_is_seen_while_a_write_is_open(database: Path) -> None:
    assert sqlite_write_lock_free(database)
    with sqlite3.connect(database, isolation_level=None) as conn:
        conn.execute("BEGIN IMMEDIATE")
        assert not sqlite_write_lock_free(database)
        conn.execute("ROLLBACK")
    assert sqlite_write_lock_free(database)


def test_a_busy_writer_is_frozen_outside_its_writes(database: Path, writer: _Frozen) -> None:
    wait_until(lambda: not sqlite_write_lock_free(database), timeout=10,
               what="the writer inside a write")
    for _ in range(10):
        assert freeze_outside_writes(writer, database, threading.Event(), within=5, retry=0.005)
        assert sqlite_write_lock_free(database)  # frozen, and the others can write
        writer.resume()
    assert writer.pauses > 10  # some freezes landed inside a write and were tried again


def test_a_lock_that_never_clears_leaves_it_frozen_and_says_so(
    database: Path, writer: _Frozen
) -> None:
    with sqlite3.connect(database, timeout=10, isolation_level=None) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another connection keeps the lock (an outage)
        done = freeze_outside_writes(writer, database, threading.Event(), within=0.2, retry=0.01)
        holder.execute("ROLLBACK")
    assert not done
    assert _state(writer.pid) == "T"  # frozen anyway: the fault still happens


def _state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]
