"""Range queries against any Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir).

Built on prometheus-api-client's ``PrometheusConnect``, and read-only: the only
endpoint used is ``/api/v1/query_range`` (GET, or POST for long expressions). A range
is cut into chunks of at most ``max_points`` steps (Prometheus refuses more than 11,000
points per series), consecutive chunks never overlap, and the whole source refuses to
issue more than ``max_queries`` queries (checked before a range starts). Connection
errors and HTTP 429/502/504 are retried with exponential backoff; 503 is not, since
Prometheus answers a query that timed out with it. Every failure becomes one
``SourceError`` naming the URL and what to check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import requests
from prometheus_api_client import PrometheusApiClientException
from prometheus_api_client.prometheus_connect import PrometheusConnect
from urllib3.util.retry import Retry

from harness.durations import format_ms
from harness.errors import HarnessError
from harness.scoped import Scoped

PROMETHEUS_MAX_POINTS = 11_000  # Prometheus's own limit on points per series of a query
RETRY_STATUSES = (429, 502, 504)


class SourceError(HarnessError):
    """A data source cannot answer: unreachable, refused access, refused or timed out a query."""


@dataclass(frozen=True)
class SourceOptions:
    """Where and how to query; everything a real server may need is passed through."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    bearer_token: str | None = None
    basic_auth: tuple[str, str] | None = None
    ca_file: str | None = None  # a CA bundle to verify the server with
    insecure_skip_verify: bool = False
    client_cert: tuple[str, str] | None = None  # (certificate file, key file)
    timeout_s: float = 60.0  # per request, also sent as the query's `timeout`
    max_points: int = PROMETHEUS_MAX_POINTS  # steps per query
    max_queries: int = 1_000  # over the source's life
    retries: int = 3
    backoff_s: float = 0.5  # urllib3 backoff factor: 0.5 s, 1 s, 2 s...
    method: str = "GET"  # or POST, for expressions too long for a URL


@dataclass(frozen=True)
class RangeSeries:
    """One series of a range query's matrix: its labels and its (ms, value) points."""

    labels: dict[str, str]
    points: tuple[tuple[int, float], ...]


class RangeSource(Protocol):
    """What the evaluator needs of a data source."""

    def range_query(
        self, expr: str, start_ms: int, end_ms: int, step_ms: int
    ) -> list[RangeSeries]: ...


Progress = Callable[[int, int], None]  # (chunks done, chunks in this range)


def chunks(start_ms: int, end_ms: int, step_ms: int, max_points: int) -> list[tuple[int, int]]:
    """[start, end] cut into consecutive (start, end) ranges of at most ``max_points`` steps."""
    if step_ms <= 0 or max_points < 1:
        raise ValueError("step and max_points must be positive")
    if end_ms < start_ms:
        return []
    span = (max_points - 1) * step_ms
    found, at = [], start_ms
    while at <= end_ms:
        stop = min(at + span, at + (end_ms - at) // step_ms * step_ms)
        found.append((at, stop))
        at = stop + step_ms
    return found


def _seconds(ms: int) -> str:
    whole, rest = divmod(ms, 1000)
    return f"{whole}.{rest:03d}" if rest else str(whole)


class PrometheusSource(Scoped):
    """Range queries over HTTP; ``queries`` counts those sent (each retry excluded).
    ``with PrometheusSource(...) as source:`` closes its connections on the way out."""

    def __init__(self, options: SourceOptions, *, progress: Progress | None = None) -> None:
        self.options = options
        self.progress = progress
        self.queries = 0
        self._last: requests.Response | None = None
        self.session = session = requests.Session()  # TLS and auth settings live here
        session.verify = False if options.insecure_skip_verify else (options.ca_file or True)
        session.auth = options.basic_auth  # per-request auth stays None: this one applies
        if options.client_cert is not None:
            session.cert = options.client_cert
        if _is_loopback(options.url):
            session.trust_env = False  # an environment proxy must not see loopback queries
        session.hooks["response"].append(self._remember)
        headers = dict(options.headers)
        if options.bearer_token:
            headers["Authorization"] = f"Bearer {options.bearer_token}"
        retry = Retry(
            total=options.retries,
            read=0,  # a query that read-timed out would only time out again
            backoff_factor=options.backoff_s,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}),  # queries only: safe to repeat
            raise_on_status=False,
        )
        self._client = PrometheusConnect(
            url=options.url.rstrip("/"),
            headers=headers,
            retry=retry,
            session=session,
            timeout=options.timeout_s,  # type: ignore[arg-type]  # the client says int
            method=options.method,
        )

    def close(self) -> None:
        self._client.close()

    def _leave(self) -> None:
        self.close()

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def planned_queries(self, start_ms: int, end_ms: int, step_ms: int) -> int:
        return len(chunks(start_ms, end_ms, step_ms, self.options.max_points))

    def range_query(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[RangeSeries]:
        """The expression's matrix at ``start_ms + k*step_ms`` up to ``end_ms``, chunked."""
        parts = chunks(start_ms, end_ms, step_ms, self.options.max_points)
        if self.queries + len(parts) > self.options.max_queries:
            raise SourceError(
                f"Evaluating {expr!r} needs {len(parts)} range queries at step "
                f"{format_ms(step_ms)}; with the {self.queries} already sent that exceeds "
                f"the cap of {self.options.max_queries} queries.",
                hint="shorten the time range or raise the cap on queries",
            )
        merged: dict[tuple[tuple[str, str], ...], list[tuple[int, float]]] = {}
        for done, (lo, hi) in enumerate(parts, start=1):
            for item in self._query(expr, lo, hi, step_ms):
                labels = dict(item.get("metric", {}))
                points = merged.setdefault(tuple(sorted(labels.items())), [])
                points.extend((round(float(t) * 1000), float(v)) for t, v in item.get("values", []))
            if self.progress is not None:
                self.progress(done, len(parts))
        return [RangeSeries(dict(key), tuple(points)) for key, points in merged.items()]

    def _query(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[dict[str, Any]]:
        params = {
            # Exact to the millisecond: the client would round start and end to seconds.
            "start": _seconds(start_ms),
            "end": _seconds(end_ms),
            "timeout": format_ms(round(self.options.timeout_s * 1000)),
        }
        self.queries += 1
        self._last = None
        try:
            result = self._client.custom_query_range(
                expr,
                start_time=datetime.fromtimestamp(start_ms / 1000, UTC),
                end_time=datetime.fromtimestamp(end_ms / 1000, UTC),
                step=_seconds(step_ms),
                params=params,
            )
        except PrometheusApiClientException:
            raise self._http_error(expr) from None
        except (ValueError, KeyError, TypeError):  # requests' JSONDecodeError is a ValueError
            raise SourceError(
                f"The answer from {self.options.url} is not a Prometheus query API answer "
                f"(HTTP {self._last.status_code if self._last is not None else '?'}).",
                hint="give the URL of the Prometheus HTTP API, without /api/v1",
            ) from None
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(exc) from None
        if not isinstance(result, list):
            raise SourceError(f"Unexpected query_range answer from {self.options.url}.")
        return result

    def _transport_error(self, exc: requests.exceptions.RequestException) -> SourceError:
        url = self.options.url
        if isinstance(exc, requests.exceptions.SSLError):
            return SourceError(
                f"TLS failed talking to {url}: {_first_line(exc)}",
                hint="pass the server's CA bundle, or skip verification for a test server",
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return SourceError(
                f"{url} did not answer a range query within {self.options.timeout_s:g} s.",
                hint="shorten the range per query (fewer points) or raise the timeout",
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            return SourceError(
                f"Cannot reach a Prometheus API at {url} "
                f"(after {self.options.retries} retries): {_first_line(exc)}"
            )
        return SourceError(f"Query to {url} failed: {_first_line(exc)}")

    def _http_error(self, expr: str) -> SourceError:
        url = self.options.url
        status = self._last.status_code if self._last is not None else 0
        kind, message = _api_error(self._last)
        if status in (401, 403):
            return SourceError(
                f"{url} refused access (HTTP {status}): {message or 'no reason given'}",
                hint="pass credentials: a bearer token, basic auth or headers",
            )
        if kind == "timeout" or (status == 503 and "timeout" in message.lower()):
            return SourceError(
                f"{url} gave up on the query {expr!r}: {message}",
                hint="shorten the range per query (fewer points) or simplify the expression",
            )
        if status in (400, 422):
            return SourceError(f"{url} refused the query {expr!r} (HTTP {status}): {message}")
        hint = "give the base URL of the query API, without /api/v1" if status == 404 else None
        return SourceError(f"Range query to {url} failed with HTTP {status}: {message}", hint=hint)


def _api_error(response: requests.Response | None) -> tuple[str, str]:
    """(errorType, error) of a Prometheus API error answer, else ('', a body excerpt)."""
    if response is None:
        return "", ""
    try:
        body = response.json()
    except ValueError:
        return "", response.text.strip()[:200]
    if isinstance(body, dict):
        return str(body.get("errorType", "")), str(body.get("error", ""))
    return "", json.dumps(body)[:200]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _is_loopback(url: str) -> bool:
    host = requests.utils.urlparse(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")
