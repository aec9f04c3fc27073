"""The Locust alerts tab's server side (harness.load.webui), with Prometheus and the
capture receiver's inbox answered by an httpx mock transport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from harness.errors import InputError
from harness.load.webui import ALERTS_KEY, NOTIFICATIONS_KEY, TOKEN_HEADER, AlertsFeed
from harness.observe.http import JsonApi

PROM = "http://127.0.0.1:9090"
INBOX = "http://127.0.0.1:9093/inbox"
HIGH_ERRORS = (
    'sum by (job) (rate(http_requests_total{status_code=~"5.."}[5m]))\n'
    "  / sum by (job) (rate(http_requests_total[5m])) > 0.05"
)
RULES = {
    "status": "success",
    "data": {
        "groups": [
            {
                "rules": [
                    {
                        "type": "alerting",
                        "name": "HighErrorRate",
                        "query": HIGH_ERRORS,
                        "state": "firing",
                        "labels": {"severity": "critical"},
                        "alerts": [
                            {"activeAt": "2026-12-04T13:40:33.5Z"},
                            {"activeAt": "2026-12-04T13:41:00Z"},
                        ],
                    },
                    {
                        "type": "alerting",
                        "name": "LowThroughput",
                        "query": "rate(x[1m]) < 2",
                        "state": "inactive",
                        "alerts": [],
                    },
                    {
                        "type": "alerting",
                        "name": "WorkerStalled",
                        "query": "a unless b",
                        "state": "pending",
                        "alerts": [{"activeAt": "0001-01-01T00:00:00Z"}],
                    },
                    {"type": "recording", "name": "job:rate", "query": "sum(rate(x[1m]))"},
                ]
            }
        ]
    },
}


def _vector(*values: str) -> dict[str, Any]:
    result = [{"metric": {"job": f"j{i}"}, "value": [0, v]} for i, v in enumerate(values)]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def _use(client: JsonApi, handler: Callable[[httpx.Request], httpx.Response]) -> None:
    """Answer the client's HTTP calls with ``handler`` (its base URL and headers kept)."""
    old = client._client
    client._client = httpx.Client(
        base_url=old.base_url, headers=old.headers, transport=httpx.MockTransport(handler)
    )


def _feed(
    prom: Callable[[httpx.Request], httpx.Response] | None = None,
    inbox: Callable[[httpx.Request], httpx.Response] | None = None,
    token: str = "tok",
) -> AlertsFeed:
    feed = AlertsFeed.from_urls(
        PROM if prom else "", INBOX if inbox else "", token
    )
    if prom and feed.prometheus:
        _use(feed.prometheus, prom)
    if inbox and feed.inbox:
        _use(feed.inbox, inbox)
    return feed


def _prometheus(queries: list[str], answers: dict[str, dict[str, Any]]) -> Callable[..., Any]:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/rules":
            return httpx.Response(200, json=RULES)
        query = request.url.params["query"]
        queries.append(query)
        return httpx.Response(200, json=answers.get(query, _vector()))

    return handler


def test_alert_rows_state_value_against_threshold() -> None:
    queries: list[str] = []
    feed = _feed(_prometheus(queries, {"rate(x[1m])": _vector("5", "1.5", "NaN")}))
    rows = {r["alert"]: r for r in feed.alert_rows()}
    assert set(rows) == {"HighErrorRate", "LowThroughput", "WorkerStalled"}  # no recording rule
    high = rows["HighErrorRate"]
    assert (high["state"], high["condition"], high["severity"]) == ("firing", "> 0.05", "critical")
    assert high["value"] == "no data"  # the value side answered nothing
    assert high["active_since"]  # the earliest activeAt, as a clock time
    # Only the value side of a split condition is queried, never the whole expression.
    assert all(" > 0.05" not in q for q in queries) and len(queries) == 2
    assert any("status_code" in q and "/" in q for q in queries), queries
    # `<`: the smallest value is the one nearest to firing; NaN is ignored.
    assert rows["LowThroughput"]["value"] == "1.5"
    assert rows["LowThroughput"]["condition"] == "< 2"
    stalled = rows["WorkerStalled"]
    assert (stalled["condition"], stalled["value"], stalled["active_since"]) == (
        "(no plain threshold)",
        "",
        "",
    )


def test_alert_value_is_the_largest_for_greater_than() -> None:
    feed = _feed(
        lambda r: httpx.Response(
            200, json=RULES if r.url.path.endswith("rules") else _vector("0.02", "0.5")
        )
    )
    rows = {r["alert"]: r for r in feed.alert_rows()}
    assert rows["HighErrorRate"]["value"] == "0.5"


def test_unreachable_sources_become_one_row_each() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    tables = _feed(down, down).tables()
    assert len(tables[ALERTS_KEY]) == 1 and "did not answer" in tables[ALERTS_KEY][0]["alert"]
    assert "did not answer" in tables[NOTIFICATIONS_KEY][0]["received"]


def test_failed_value_query_is_shown_in_its_cell() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/rules":
            return httpx.Response(200, json=RULES)
        return httpx.Response(400, json={"status": "error", "error": "bad query"})

    rows = {r["alert"]: r for r in _feed(handler).alert_rows()}
    assert rows["HighErrorRate"]["value"].startswith("query failed: ")
    assert rows["HighErrorRate"]["state"] == "firing"


def test_no_urls_say_which_option_is_missing() -> None:
    tables = AlertsFeed.from_urls("", "", "").tables()
    assert "--prometheus-url" in tables[ALERTS_KEY][0]["alert"]
    assert "--inbox-url" in tables[NOTIFICATIONS_KEY][0]["received"]


def test_inbox_rows_newest_first_with_the_token() -> None:
    seen: list[str | None] = []
    body = {
        "notifications": [
            {
                "received_at": 1.0,
                "receiver": "oncall",
                "status": "firing",
                "alertnames": ["HighErrorRate"],
                "summary": "errors",
            },
            {
                "received_at": 2.0,
                "receiver": "oncall",
                "status": "resolved",
                "alertnames": ["HighErrorRate", "X"],
                "summary": "",
            },
        ],
        "rejected": [],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get(TOKEN_HEADER))
        return httpx.Response(200, json=body)

    rows = _feed(inbox=handler, token="secret").notification_rows()
    assert seen == ["secret"]
    assert [r["status"] for r in rows] == ["resolved", "firing"]
    assert rows[0]["alerts"] == "HighErrorRate, X" and rows[1]["receiver"] == "oncall"


def test_inbox_refusing_the_token_and_empty_inbox() -> None:
    refused = _feed(inbox=lambda r: httpx.Response(401, text="needs the header"))
    assert "401" in refused.notification_rows()[0]["received"]
    empty = _feed(inbox=lambda r: httpx.Response(200, json={"notifications": []}))
    assert empty.notification_rows() == [{"received": "no notification received yet"}]


def test_tables_are_cached_for_ttl_seconds() -> None:
    calls: list[str] = []
    now = [100.0]

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json={"notifications": []})

    feed = _feed(inbox=handler)
    feed.clock = lambda: now[0]
    feed.extended_stats()
    now[0] += 0.5
    stats = feed.extended_stats()
    assert len(calls) == 1
    assert [s["key"] for s in stats] == [ALERTS_KEY, NOTIFICATIONS_KEY]
    now[0] += feed.ttl
    feed.tables()
    assert len(calls) == 2


@pytest.mark.parametrize("option", ["prometheus", "inbox"])
def test_remote_urls_are_refused(option: str) -> None:
    urls = {"prometheus": PROM, "inbox": INBOX, option: "http://example.com:9090"}
    with pytest.raises(InputError, match=f"--{option}-url"):
        AlertsFeed.from_urls(urls["prometheus"], urls["inbox"], "t")
