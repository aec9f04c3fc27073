"""Hold every WAL-index lock of a SQLite database until SIGTERM: the stack's
database outage (``stop_service("database")``). Standard library only, run by path::

    python sqlite_lock.py --ready FILE [--timeout S] DATABASE

SQLite in WAL mode coordinates connections with POSIX advisory locks on bytes 120-127
of the ``-shm`` file: the write, checkpoint and recovery locks and the five read marks
(https://www.sqlite.org/walformat.html, "WAL-Index Locks"). While this process holds
all eight exclusively, no connection of any process can begin a read or a write
transaction: readers retry for about 10 s and fail with "locking protocol"
(SQLITE_PROTOCOL), writers wait out their busy timeout and fail with "database is
locked". A statement that reads no table (``SELECT 1``) still succeeds. Nothing in the
files changes: the outage ends when this process exits, and its locks go with it.

Exit status: 0 after SIGTERM/SIGINT; 2 with one line on stderr if the database is not
a WAL-mode SQLite file or the locks could not all be taken within ``--timeout``.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import sys
import time

LOCK_OFFSETS = range(120, 128)  # WAL_WRITE, WAL_CKPT, WAL_RECOVER, WAL_READ(0..4)
WAL_FORMAT = 2  # header bytes 18 and 19 (write and read versions) in WAL mode


class LockError(Exception):
    """The outage cannot begin (the message says why)."""


def _check_wal(database: str) -> None:
    with open(database, "rb") as db:
        header = db.read(20)
    if len(header) < 20 or not header.startswith(b"SQLite format 3\0"):
        raise LockError(f"{database} is not a SQLite database")
    if header[18] != WAL_FORMAT or header[19] != WAL_FORMAT:
        raise LockError(f"{database} is not in WAL mode")


def _lock_all(fd: int, timeout: float) -> None:
    """Take each lock byte as soon as it is free and keep it: connections that hold a
    read mark for a moment let go of it, and new ones can no longer take the taken ones."""
    deadline = time.monotonic() + timeout
    pending = list(LOCK_OFFSETS)
    while pending:
        for offset in list(pending):
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)
            except OSError:
                continue
            pending.remove(offset)
        if pending:
            if time.monotonic() >= deadline:
                raise LockError(f"lock bytes {pending} stayed busy for {timeout:g} s")
            time.sleep(0.002)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--ready", required=True, help="file written once every lock is held")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # delivered through sigwait() below
    try:
        _check_wal(args.database)
        # The -shm file exists while any connection is open; created empty otherwise (a
        # connection that opens it later still needs these locks to rebuild its index).
        fd = os.open(args.database + "-shm", os.O_RDWR | os.O_CREAT, 0o644)
        _lock_all(fd, args.timeout)
    except (OSError, LockError) as exc:
        print(f"sqlite_lock: {exc}", file=sys.stderr)
        return 2
    # Same ready-file/sigwait tail as postgres_outage.py: each script runs standalone (python file).
    with open(args.ready, "w") as ready:
        ready.write(f"{os.getpid()}\n")
    print(f"sqlite_lock: holding WAL-index locks of {args.database}", flush=True)
    signal.sigwait(stop)
    print("sqlite_lock: released", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
