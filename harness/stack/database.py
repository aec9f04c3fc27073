"""The "database" pseudo-service of both backends: a database outage on demand.

``stop_service("database")`` takes the outage on, ``start_service("database")`` ends it.
The default database is the stack's own SQLite file, which has no server to stop: the
outage is a helper process (``sqlite_lock.py``) that holds every WAL-index lock of the
file. While it runs, every statement of the API and the worker that touches a table
blocks for about 10 s (SQLite's own retry schedule and the target's busy timeout) and
then fails: db_queries_total{status="error"} counts it and the API answers 503. It
behaves like a database that hangs, not one that refuses connections at once; and the
spec's ``SELECT 1`` health check reads no table, so /health keeps answering 200.

The stack's own PostgreSQL (``--database postgres``, postgres.py) is closed by a real
means: the helper (``postgres_outage.py``) sets ALLOW_CONNECTIONS false on the target's
database and ends its open sessions, so every statement fails at once, /health (the
spec's ``SELECT 1``) included; it reopens the database when stopped. A PostgreSQL of the
user's (``TARGET_DATABASE_URL`` in ``StackSpec.target_env``) is not the stack's to
take down: ``new_process()`` says so. With containers the helpers run on the host too:
the SQLite file is in the run directory, mounted into the target's containers, and the
PostgreSQL container's port is published on 127.0.0.1.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from harness.errors import StackError
from harness.stack.process import ManagedProcess
from harness.stack.rundir import RunDir
from harness.stack.wait import CallableWait, NotReady

DATABASE = "database"
HELPER = Path(__file__).with_name("sqlite_lock.py")
PG_HELPER = Path(__file__).with_name("postgres_outage.py")
LOCK_TIMEOUT = 10.0  # seconds the helper may wait for a lock byte held by a statement
READY_TIMEOUT = LOCK_TIMEOUT + 10.0


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for any other database (or an in-memory one)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def sqlite_write_lock_free(path: Path) -> bool:
    """Whether a writer could start on the SQLite file now: a BEGIN IMMEDIATE that does
    not wait, rolled back at once. False while any connection is inside a write."""
    try:
        with sqlite3.connect(path, timeout=0, isolation_level=None) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False  # "database is locked": a write transaction is open (or an outage)
    return True


class Freezable(Protocol):
    def pause(self) -> None: ...
    def resume(self) -> None: ...


def freeze_outside_writes(
    process: Freezable, path: Path, cancel: threading.Event, *, within: float, retry: float
) -> bool:
    """Freeze ``process`` at a moment the SQLite file has no write under way (frozen
    inside one, it would hold the file's single write lock for as long as it is frozen).
    While a write is under way it is let go on for ``retry`` seconds and frozen again,
    for at most ``within``; whether it is frozen outside a write (it is frozen anyway)."""
    deadline = time.monotonic() + within
    process.pause()
    while not sqlite_write_lock_free(path):
        if time.monotonic() >= deadline or cancel.is_set():
            return False
        process.resume()
        cancel.wait(retry)  # the write's few milliseconds to commit
        process.pause()
    return True


class DatabaseOutage:
    """``new_process()`` is the outage's helper, ``wait_down()`` waits until the outage is
    on, ``end()`` stops the helper. ``process`` is its current run (None before the first
    outage). ``admin``: for the stack's own PostgreSQL, the conninfo of an admin session
    and the database to close; ``database_url`` is then the harness's URL of it."""

    def __init__(
        self, database_url: str, run: RunDir, *, admin: tuple[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.path = sqlite_path(database_url)
        self.admin = admin
        self._dir = run.subdir(DATABASE)
        self.process: ManagedProcess | None = None

    @property
    def active(self) -> bool:
        return self.process is not None and self.process.is_running()

    def new_process(self) -> ManagedProcess:
        """The helper for the next outage (started by the caller, which records it)."""
        if self.path is None and self.admin is None:
            backend = self.database_url.split(":", 1)[0]
            raise StackError(
                f"The stack cannot take the database down: it runs SQLite or its own "
                f"PostgreSQL (--database postgres), and this target uses {backend}.",
                hint="stop that database server yourself for a database_down fault",
            )
        if self.active:
            raise StackError("The database is already down (its outage is in progress).")
        ready = self._dir / "locked"
        ready.unlink(missing_ok=True)
        if self.admin is not None:
            conninfo, database = self.admin
            argv = [sys.executable, str(PG_HELPER), "--ready", str(ready), "--admin", conninfo]
            name, log = "database-close", "postgres_outage.log"
            argv.append(database)
        else:
            argv = [sys.executable, str(HELPER), "--ready", str(ready), "--timeout"]
            argv += [repr(LOCK_TIMEOUT), str(self.path)]
            name, log = "database-lock", "sqlite_lock.log"
        self.process = ManagedProcess(name, argv, log_path=self._dir / log, cwd=self._dir)
        return self.process

    def wait_down(self, cancel: threading.Event | None = None) -> float:
        """Wait until the helper holds every lock; StackError (with its log, the helper
        stopped) if it exits or takes too long."""
        assert self.process is not None
        ready = self._dir / "locked"

        def locked() -> None:
            if not ready.exists():
                raise NotReady("the outage helper is not ready yet")

        strategy = CallableWait(locked, str(ready), timeout=READY_TIMEOUT, poll_interval=0.01)
        try:
            return strategy.wait("Database outage", target=self.process, cancel=cancel)
        except BaseException:
            self.process.stop(2.0)  # no half-begun outage outlives the error
            raise

    def end(self, timeout: float) -> None:
        """End the outage (the SQLite helper's locks go with it; the PostgreSQL helper
        reopens the database). StackError if none is on, or if the helper failed."""
        if not self.active:
            raise StackError("The database is not down: stop_service('database') first.")
        assert self.process is not None
        code = self.process.stop(timeout)
        if code != 0:
            raise StackError(
                f"The database outage did not end cleanly (exit code {code}).\n"
                f"{self.process.describe_log()}"
            )
