"""Load and faults go to loopback only unless allow_remote=True."""

from __future__ import annotations

import pytest

from harness.errors import InputError
from harness.load.fault_client import FaultClient
from harness.load.hosts import is_loopback_host, require_loopback


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://127.1.2.3:8000/",
        "http://localhost:8000",
        "http://LOCALHOST.:8000",
        "http://[::1]:8000",
        "http://[::ffff:127.0.0.1]:8000",
        "https://127.0.0.1",
    ],
)
def test_loopback_accepted(url: str) -> None:
    assert require_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5:8000",
        "http://192.168.1.1",
        "http://example.com",
        "http://localhost.example.com",
        "http://[::2]:80",
        "http://0.0.0.0:8000",
        "http://128.0.0.1",
    ],
)
def test_remote_refused_with_a_hint(url: str) -> None:
    with pytest.raises(InputError, match="only loopback") as info:
        require_loopback(url)
    assert "allow_remote=True" in str(info.value)


def test_remote_allowed_when_asked() -> None:
    assert require_loopback("http://example.com:80/", allow_remote=True) == "http://example.com:80"


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://127.0.0.1", "http://", ""])
def test_malformed_urls(url: str) -> None:
    with pytest.raises(InputError, match="Invalid host URL"):
        require_loopback(url, allow_remote=True)


def test_names_are_not_resolved() -> None:
    assert not is_loopback_host("my-laptop")  # could resolve anywhere


def test_fault_client_checks_too() -> None:
    with pytest.raises(InputError, match="only loopback"):
        FaultClient("http://10.1.1.1:8000", "t")
