"""Keep a PostgreSQL database closed to connections until SIGTERM: the stack's database
outage (``stop_service("database")``) on PostgreSQL. Run by path::

    python postgres_outage.py --ready FILE --admin CONNINFO DATABASE

Over an admin session (to another database of the cluster): ``ALTER DATABASE ...
ALLOW_CONNECTIONS false`` (no new session, superusers included), then every open
session of DATABASE is ended (``pg_terminate_backend``). From then on every statement
of the API and the worker fails at once: a pooled connection is found dead, a new one
is refused ("database ... is not currently accepting connections"). On SIGTERM/SIGINT
connections are allowed again, and the outage ends.

Exit status: 0 after SIGTERM/SIGINT with connections allowed again; 2 with one line on
stderr if the database could not be closed or reopened.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import psycopg
from psycopg import sql

TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = %s AND pid <> pg_backend_pid()"
)


def _allow(conninfo: str, database: str, allow: bool) -> int:
    """Set ALLOW_CONNECTIONS; when closing, end the open sessions. Returns how many."""
    statement = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
        sql.Identifier(database), sql.Literal(allow)
    )
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)
        if allow:
            return 0
        row = conn.execute(TERMINATE, (database,)).fetchone()
        return int(row[0]) if row else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--ready", required=True, help="file written once the outage is on")
    parser.add_argument("--admin", required=True, help="libpq conninfo of an admin session")
    args = parser.parse_args(argv)
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # delivered through sigwait() below
    try:
        ended = _allow(args.admin, args.database, False)
    except psycopg.Error as exc:
        print(f"postgres_outage: cannot close {args.database}: {exc}", file=sys.stderr)
        return 2
    with open(args.ready, "w") as ready:
        ready.write(f"{os.getpid()}\n")
    print(f"postgres_outage: {args.database} closed, {ended} session(s) ended", flush=True)
    signal.sigwait(stop)
    try:
        _allow(args.admin, args.database, True)
    except psycopg.Error as exc:
        print(f"postgres_outage: cannot reopen {args.database}: {exc}", file=sys.stderr)
        return 2
    print(f"postgres_outage: {args.database} open again", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
