"""Free loopback ports, and a clear error for a requested port that is busy."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from harness.errors import StackError
from harness.stack.ports import claim_port, free_port, release_port


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = [free_port() for _ in range(20)]
    assert len(set(ports)) == len(ports)
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
        release_port(port)


def test_busy_port_names_port_and_holder(listener: int) -> None:
    with pytest.raises(StackError) as info:
        claim_port(listener, what="API port")
    message = str(info.value)
    assert f"The API port {listener} on 127.0.0.1 is already in use" in message
    assert f"held by pid {os.getpid()}" in message  # this test process holds it
    assert "choose another port" in message


def test_free_requested_port_is_accepted() -> None:
    port = free_port()
    release_port(port)
    assert claim_port(port) == port
    release_port(port)


@pytest.mark.parametrize("port", [0, -1, 70000])
def test_invalid_port(port: int) -> None:
    with pytest.raises(StackError, match="must be between 1 and 65535"):
        claim_port(port)
