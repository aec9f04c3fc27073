"""Active users: distinct ``X-User-Id`` of /api requests seen by this API process.

The spec lists "active users" among the page's figures but defines no metric for it
(and a user label on the HTTP metrics would explode their cardinality), so the API
keeps the last time it saw each user, in a pure ASGI wrapper (one header scan per
request; docs/ARCHITECTURE.md on middleware cost).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_USERS = 100_000  # beyond this, entries older than the last window asked for are dropped


class ActiveUsers:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.seen: dict[str, float] = {}
        self._last_window = 300.0

    def note(self, user: str) -> None:
        self.seen[user] = self.clock()
        if len(self.seen) > MAX_USERS:
            self._prune(self._last_window)

    def count(self, window: float) -> int:
        """Users seen in the last ``window`` seconds."""
        self._last_window = window
        self._prune(window)
        return len(self.seen)

    def _prune(self, window: float) -> None:
        cutoff = self.clock() - window
        self.seen = {u: t for u, t in self.seen.items() if t >= cutoff}


class ActiveUsersMiddleware:
    """Notes the caller of every /api request in ``users``."""

    def __init__(self, app: ASGIApp, users: ActiveUsers) -> None:
        self.app = app
        self.users = users

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            for key, value in scope["headers"]:
                if key == b"x-user-id":
                    self.users.note(value.decode("latin-1"))
                    break
        await self.app(scope, receive, send)
