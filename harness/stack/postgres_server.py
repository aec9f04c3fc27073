"""Run a PostgreSQL cluster of the stack's own until SIGTERM. Standard library only, run
by path (the local backend's "postgres" service)::

    python postgres_server.py --bin DIR --base DIR --port P [--user NAME]

In ``--base``: ``data/`` (the cluster, made by initdb on first start) and ``password``
(the superuser's, read once by initdb, then removed). The server listens on loopback TCP
only: no Unix socket, whose path (base + 20 bytes) could pass the kernel's 107. The
cluster's superuser is ``harness``; the database ``target`` is created in single-user
mode before the server starts, so the server is ready as soon as it accepts connections.
As root, initdb and the server run as ``--user`` (PostgreSQL refuses to run as root).

The server is a child in this process's group: stopping the group stops both. SIGTERM or
SIGINT here asks the server for a fast shutdown (open sessions are ended). The cluster
stays (a restarted service finds its data); the stack removes it. Exit status: the
server's, or 2 with one line on stderr if the cluster could not be made.
"""

from __future__ import annotations

import argparse
import pwd
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

SUPERUSER = "harness"
DATABASE = "target"
# A throwaway cluster: durability off, enough connections for the API's and the worker's
# pools (30 and 40 at most) and dbinit, the admin sessions and the tests.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "unix_socket_directories": "",
}


class ClusterError(Exception):
    """The cluster could not be made (the message says why)."""


def _as(user: str | None) -> dict[str, Any]:
    """Popen arguments that run a child as ``user`` (its group, no other), or as we are."""
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def _run(argv: list[str], user: str | None, stdin: str | None = None) -> None:
    done = subprocess.run(
        argv, input=stdin, text=True, capture_output=True, check=False, **_as(user)
    )
    sys.stdout.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise ClusterError(f"{Path(argv[0]).name} failed with exit code {done.returncode}")


def make_cluster(bindir: Path, base: Path, user: str | None) -> None:
    """initdb, then CREATE DATABASE in single-user mode (nothing listens meanwhile)."""
    data, password = base / "data", base / "password"
    argv = [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8"]
    argv += ["--locale=C", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256"]
    _run([*argv, f"--pwfile={password}"], user)
    password.unlink()
    single = [str(bindir / "postgres"), "--single", "-D", str(data), "postgres"]
    _run(single, user, stdin=f"CREATE DATABASE {DATABASE};\n")


def serve(bindir: Path, base: Path, port: int, user: str | None) -> int:
    argv = [str(bindir / "postgres"), "-D", str(base / "data"), "-p", str(port)]
    for name, value in SETTINGS.items():
        argv += ["-c", f"{name}={value}"]
    server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **_as(user))

    def fast_shutdown(_sig: int, _frame: Any) -> None:
        server.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, fast_shutdown)
    signal.signal(signal.SIGINT, fast_shutdown)
    return server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, type=Path, help="PostgreSQL's bin directory")
    parser.add_argument("--base", required=True, type=Path)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--user", help="run initdb and the server as this user")
    args = parser.parse_args(argv)
    try:
        if not (args.base / "data" / "PG_VERSION").exists():
            make_cluster(args.bin, args.base, args.user)
        sys.stdout.flush()
        return serve(args.bin, args.base, args.port, args.user)
    except (OSError, ClusterError) as exc:
        print(f"postgres_server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
