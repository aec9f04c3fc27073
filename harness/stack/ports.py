"""Loopback ports: pick a free one, or check that a requested one is free.

A port picked here is free at the moment of the check; the child that binds it
comes a few milliseconds later. Ports handed out by this process are remembered so
two services of one stack (started side by side) never get the same one.
"""

from __future__ import annotations

import errno
import socket
import threading

import psutil

from harness.errors import StackError

LOOPBACK = "127.0.0.1"

_lock = threading.Lock()
_handed_out: set[int] = set()


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on ``host`` that nothing listens on now (and not handed out before)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        with _lock:
            if port not in _handed_out:
                _handed_out.add(port)
                return port
    raise StackError(f"Could not find a free TCP port on {host}.")


def claim_port(port: int, host: str = LOOPBACK, *, what: str = "port") -> int:
    """Check that a port the user asked for is free; otherwise name who holds it."""
    if not 0 < port < 65536:
        raise StackError(f"Invalid {what} {port}: must be between 1 and 65535.")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Same option the servers use, so a port in TIME_WAIT is not reported as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise StackError(f"Cannot use {what} {port} on {host}: {exc.strerror}.") from None
            holder = port_holder(port)
            who = f" (held by {holder})" if holder else ""
            raise StackError(
                f"The {what} {port} on {host} is already in use{who}.",
                hint="choose another port or leave the option out to use a free one",
            ) from None
    with _lock:
        _handed_out.add(port)
    return port


def port_holder(port: int) -> str | None:
    """'pid 123 (redis-server)' for the process listening on ``port``, if it can be known."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    for conn in connections:
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            if conn.pid is None:
                return "another process"
            try:
                name = psutil.Process(conn.pid).name()
            except psutil.Error:
                return f"pid {conn.pid}"
            return f"pid {conn.pid} ({name})"
    return None


def release_port(port: int) -> None:
    """Forget a port handed out before (its stack has stopped), so it may be picked again."""
    with _lock:
        _handed_out.discard(port)
