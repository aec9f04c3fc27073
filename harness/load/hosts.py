"""Load and faults go to loopback only, unless a caller says otherwise in so many words."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from harness.errors import InputError


def is_loopback_host(hostname: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8, ``::1`` and IPv4-mapped loopback (``::ffff:127.x``)."""
    name = hostname.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a DNS name: it could resolve anywhere
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def require_loopback(url: str, *, allow_remote: bool = False, what: str = "host") -> str:
    """Return ``url`` without a trailing slash; InputError unless it is http(s) on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"Invalid {what} URL {url!r}: expected http://HOST:PORT.",
            hint="for example http://127.0.0.1:8000",
        )
    if not allow_remote and not is_loopback_host(parts.hostname):
        raise InputError(
            f"Refusing to send load or faults to {parts.hostname!r} ({what} {url}): "
            "only loopback (127.0.0.0/8, localhost, ::1) is allowed.",
            hint="pass allow_remote=True to target another machine on purpose",
        )
    return url.rstrip("/")
