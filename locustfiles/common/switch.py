"""``FaultSwitch``: set and reset the target's faults from inside Locust.

Standard library only (urllib): under Locust, gevent has patched the socket module, so
these calls yield to other users instead of blocking them.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

TOKEN_HEADER = "X-Fault-Token"


class FaultSwitchError(RuntimeError):
    """A fault call failed; the message says why and what to do."""


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


class FaultSwitch:
    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0) -> None:
        if not is_loopback(base_url):
            raise FaultSwitchError(
                f"refusing to switch faults on {base_url}: faults go to loopback targets only"
            )
        if not token:
            raise FaultSwitchError(
                "no fault token: set --fault-token (web UI: 'Fault token') or HARNESS_FAULT_TOKEN"
            )
        self.url = base_url.rstrip("/") + "/faults"
        self.token = token
        self.timeout = timeout

    def apply(self, state: Mapping[str, Any] | None) -> dict[str, Any]:
        """Replace the target's faults with ``state`` (reset first; {} or None: reset only)."""
        result = self.reset()
        if state:
            result = self._call("PUT", dict(state))
        return result

    def reset(self) -> dict[str, Any]:
        return self._call("DELETE")

    def _call(self, method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url, data=data, method=method)
        request.add_header(TOKEN_HEADER, self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            if exc.code == 401:
                raise FaultSwitchError(
                    f"{method} {self.url}: the target refused the fault token (401)"
                ) from None
            raise FaultSwitchError(f"{method} {self.url} failed ({exc.code}): {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FaultSwitchError(f"{method} {self.url} did not answer: {reason}") from None
        parsed = json.loads(raw) if raw else {}
        return parsed if isinstance(parsed, dict) else {"result": parsed}
