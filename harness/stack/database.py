"""The "database" pseudo-service of both backends: a database outage on demand.

``stop_service("database")`` takes the outage on, ``start_service("database")`` ends it.
The default database is the stack's own SQLite file, which has no server to stop: the
outage is a helper process (``sqlite_lock.py``) that holds every WAL-index lock of the
file. While it runs, every statement of the API and the worker that touches a table
blocks for about 10 s (SQLite's own retry schedule and the target's busy timeout) and
then fails: db_queries_total{status="error"} counts it and the API answers 503. It
behaves like a database that hangs, not one that refuses connections at once; and the
spec's ``SELECT 1`` health check reads no table, so /health keeps answering 200.

With PostgreSQL (``TARGET_DATABASE_URL`` in ``StackSpec.target_env``) the server is the
user's, not the stack's: a real outage stops that server, which the stack cannot do;
``new_process()`` says so. With containers the helper runs on the host too: the SQLite
file is in the run directory, mounted into the target's containers.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from harness.errors import StackError
from harness.stack.process import ManagedProcess
from harness.stack.rundir import RunDir
from harness.stack.wait import CallableWait, NotReady

DATABASE = "database"
HELPER = Path(__file__).with_name("sqlite_lock.py")
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


class DatabaseOutage:
    """``begin()`` starts the lock helper and waits until it holds the locks; ``end()``
    stops it. ``process`` is the helper's current run (None before the first outage)."""

    def __init__(self, database_url: str, run: RunDir) -> None:
        self.database_url = database_url
        self.path = sqlite_path(database_url)
        self._dir = run.subdir(DATABASE)
        self.process: ManagedProcess | None = None

    @property
    def active(self) -> bool:
        return self.process is not None and self.process.is_running()

    def new_process(self) -> ManagedProcess:
        """The helper for the next outage (started by the caller, which records it)."""
        if self.path is None:
            backend = self.database_url.split(":", 1)[0]
            raise StackError(
                f"The stack cannot take the database down: it only runs SQLite, and "
                f"this target uses {backend}.",
                hint="stop that database server yourself for a database_down fault",
            )
        if self.active:
            raise StackError("The database is already down (its outage is in progress).")
        ready = self._dir / "locked"
        ready.unlink(missing_ok=True)
        argv = [sys.executable, str(HELPER), "--ready", str(ready), "--timeout"]
        argv += [repr(LOCK_TIMEOUT), str(self.path)]
        self.process = ManagedProcess(
            "database-lock", argv, log_path=self._dir / "sqlite_lock.log", cwd=self._dir
        )
        return self.process

    def wait_down(self, cancel: threading.Event | None = None) -> float:
        """Wait until the helper holds every lock; StackError (with its log, the helper
        stopped) if it exits or takes too long."""
        assert self.process is not None
        ready = self._dir / "locked"

        def locked() -> None:
            if not ready.exists():
                raise NotReady("the lock helper holds no lock yet")

        strategy = CallableWait(locked, str(ready), timeout=READY_TIMEOUT, poll_interval=0.01)
        try:
            return strategy.wait("Database outage", target=self.process, cancel=cancel)
        except BaseException:
            self.process.stop(2.0)  # no half-begun outage outlives the error
            raise

    def end(self, timeout: float) -> None:
        """End the outage (the helper's locks go with it). StackError if none is on."""
        if not self.active:
            raise StackError("The database is not down: stop_service('database') first.")
        assert self.process is not None
        self.process.stop(timeout)
