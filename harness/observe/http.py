"""One small JSON-over-HTTP helper shared by the Prometheus and Alertmanager clients."""

from __future__ import annotations

from typing import Any

import httpx

from harness.errors import StackError


class JsonApi:
    """A base URL plus an httpx client with short timeouts; errors become StackError."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        timeout: float = 5.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            where = f"{self.base_url}{path}"
            raise StackError(f"{self.name} at {where} did not answer: {exc}") from None
        if response.status_code >= 400:
            raise StackError(
                f"{self.name} answered {response.status_code} to {path}: {response.text[:300]}"
            )
        try:
            return response.json()
        except ValueError:  # a body that is not JSON (an overloaded server's, a proxy's)
            raise StackError(
                f"{self.name} answered {response.status_code} to {path} with a body that is "
                f"not JSON: {response.text[:120]!r}"
            ) from None

    def close(self) -> None:
        self._client.close()
