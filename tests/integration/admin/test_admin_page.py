"""The System Admin page (/admin/monitoring) on a real stack, read in a real browser:
its role check, its figures against Locust's ground truth, an alert that comes and
goes within its windows, its health turning red without Redis, and its log search.

The screenshot under the fault is saved as ``admin-monitoring.png`` in the test's
tmp folder (printed), attached to the allure report when allure collects, and copied
to $HARNESS_ADMIN_SCREENSHOT when that is set (docs/admin-monitoring.png is one).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from admin_helpers import (
    ADMIN,
    REFRESH_S,
    Watch,
    locust_5xx,
    locust_truth,
    save_screenshot,
    scraped_span,
    search_logs,
    sign_in,
)

from harness.load import FaultClient, LoadStats, LocustConfig, LocustRun
from harness.prepare import PreparedRun
from harness.queries.sampler import MetricsSampler
from harness.queries.table import load_checks
from harness.queries.truth import count_between
from harness.stack.base import Stack
from harness.verdicts.windows import firing_window, resolve_window
from tests.support.browser import browser_page
from tests.support.poll import wait_until

pytestmark = pytest.mark.integration

USERS = 20
ERROR_RATIO = 0.2  # HighErrorRate's threshold is 5%
SETTLE_S = 5.0  # after a fault starts: (nearly) every 5xx series born, rates settled
MIN_SAMPLES = 10  # page refreshes compared with Locust
PAGE_LAG = REFRESH_S + 1.0  # the page shows Alertmanager's state one refresh (+ fetch) late
ALERT = "HighErrorRate"


def test_role_check(stack: Stack) -> None:
    base = stack.endpoints.api
    teacher = {**ADMIN, "X-Role": "teacher"}
    for path in ("/admin/monitoring", "/admin/monitoring/data"):
        codes = [httpx.get(base + path, headers=h, trust_env=False).status_code
                 for h in ({}, teacher, ADMIN)]
        assert codes == [401, 403, 200], path
    data = httpx.get(base + "/admin/monitoring/data", headers=ADMIN, trust_env=False).json()
    assert data["prometheus"] == "ok" and data["alerts"]["error"] is None


@contextmanager
def closing_sampler(sampler: MetricsSampler) -> Iterator[MetricsSampler]:
    sampler.start()
    try:
        yield sampler
    finally:
        sampler.stop()


def _deadline(t: float) -> float:
    return max(0.1, t - time.time())


def test_page_under_an_error_fault(
    stack: Stack, prepared: PreparedRun, tmp_path: Path
) -> None:
    ep, token = stack.endpoints, prepared.stack_spec.fault_token
    fire = firing_window(prepared.rule(ALERT), prepared.intervals)
    resolve = resolve_window(prepared.rule(ALERT), prepared.intervals)
    window = 300.0 / prepared.time_scale  # the dashboards' 5m
    config = LocustConfig(host=ep.api, users=USERS, spawn_rate=USERS, run_time=90,
                          fault_token=token, html_report=False)
    births = MetricsSampler({"api": ep.api + "/metrics"}, ("http_requests_total",),
                            interval=prepared.intervals.scrape)
    with browser_page() as page, FaultClient(ep.api, token, timeout=10) as faults:
        sign_in(page, ep.api)
        watch = Watch(page)
        # Errors before the load: the 5xx series are born in its first seconds, outside
        # the refreshes compared below. The alert's t0 is the load's first request.
        faults.set({"errors": {"ratio": ERROR_RATIO}})
        with LocustRun(config, tmp_path / "locust") as load, closing_sampler(births):
            loaded = wait_until(lambda: (watch.poll()["request_rate"] or 0) > 1 and time.time(),
                                timeout=30, what="the page to show the load's request rate")
            shown = wait_until(lambda: ALERT in watch.poll()["alerts"] and time.time(),
                               timeout=_deadline(loaded + fire.end + fire.slack + PAGE_LAG),
                               what=f"{ALERT} in the page's active alerts ({fire.formula})")
            start = loaded + window + SETTLE_S
            wait_until(lambda: watch.poll() and len(watch.between(start, math.inf)) >= MIN_SAMPLES,
                       timeout=_deadline(start + MIN_SAMPLES * REFRESH_S + 10),
                       what=f"{MIN_SAMPLES} page refreshes under the fault")
            during = search_logs(page, '| json | status_code =~ "5.."')
            shot = save_screenshot(page, tmp_path, "admin-monitoring.png",
                                   os.environ.get("HARNESS_ADMIN_SCREENSHOT"))
            print(f"screenshot of the page under the fault: {shot}")
            faults.reset()
            t1 = time.time()
            wait_until(lambda: ALERT not in watch.poll()["alerts"],
                       timeout=_deadline(t1 + resolve.end + resolve.slack + PAGE_LAG),
                       what=f"{ALERT} gone from the page within {resolve.formula}")
            load.stop()
            stats = load.result().stats
    first = min(sec for sec, n in stats.total.per_second.items() if n)  # whole seconds
    assert fire.start - fire.slack <= shown - (first + 1), "the alert showed too early"
    assert shown - first <= fire.end + fire.slack + PAGE_LAG, (
        f"the alert showed {shown - first:.1f} s after the load's first errors ({fire})")
    samples = watch.between(start, t1)
    spans = [scraped_span(ep.prometheus, s["at"], window) for s in samples]
    # A 5xx series' first error is not in rate() (the queries checks' slack, the same way).
    born = births.births("http_requests_total", spans[0][0], spans[-1][1], {"status_code": "500"})
    _compare_with_locust(samples, stats, spans, born)
    assert during["rows"], "the log search under the fault showed no failed request"
    assert all("injected fault" in row[4] for row in during["rows"]), during["rows"][:3]
    _logs_find_every_failure(stack, stats)


def _compare_with_locust(
    samples: list[dict[str, Any]], stats: LoadStats, spans: list[tuple[float, float]],
    births: float,
) -> None:
    """Mean of the page's figures over its refreshes against Locust's counts between the
    scrapes each refresh's query measured, with the corrected panels' query-check
    tolerances (checks.yaml)."""
    checks = load_checks()
    rate_tol = checks[("API Overview", "Request rate (requests/sec)")].tol()
    ratio_tol = checks[("API Overview", "Error rate (%)")].tol()
    truths = [locust_truth(stats, span) for span in spans]
    page_rate = statistics.fmean(s["request_rate"] for s in samples)
    page_ratio = statistics.fmean(s["error_rate"] / 100 for s in samples)
    true_rate = statistics.fmean(t[0] for t in truths)
    true_ratio = statistics.fmean(t[1] for t in truths)
    n = len(samples)
    requests = sum(count_between(e.per_second, spans[0][0], spans[-1][1]) for e in stats.endpoints)
    slack = births / requests
    print(f"page vs Locust, {births:g} 5xx series born in {requests:.0f} requests:", [
        (round(s["request_rate"], 1), round(t[0], 1), round(s["error_rate"], 2),
         round(t[1] * 100, 2)) for s, t in zip(samples, truths, strict=True)])
    assert abs(page_rate - true_rate) <= rate_tol.allowed(true_rate), (
        f"page request rate {page_rate:.2f}/s, Locust {true_rate:.2f}/s over {n} refreshes"
    )
    assert abs(page_ratio - true_ratio) <= ratio_tol.allowed(true_ratio) + slack, (
        f"page error rate {page_ratio:.2%}, Locust {true_ratio:.2%} over {n} refreshes "
        f"(slack {slack:.2%} for {births:g} births)"
    )


def _logs_find_every_failure(stack: Stack, stats: LoadStats) -> None:
    """After the load: the log search's count of failed requests is Locust's."""
    expected = locust_5xx(stats)
    assert expected > 0
    with browser_page() as page:
        page.set_extra_http_headers(ADMIN)  # the headers work for a browser too
        page.goto(stack.endpoints.api + "/admin/monitoring")
        found = wait_until(
            lambda: search_logs(page, "| json | status_code = 500")["matched"],
            timeout=10, what="the log search's count")
    assert int(found) == expected, f"log search found {found} failures, Locust saw {expected}"


def test_health_turns_red_without_redis(stack: Stack) -> None:
    with browser_page() as page:
        page.set_extra_http_headers(ADMIN)
        page.goto(stack.endpoints.api + "/admin/monitoring")
        watch = Watch(page)
        wait_until(lambda: watch.poll()["health"] == "healthy", timeout=15,
                   what="the page's health to be healthy")
        stack.stop_service("redis")
        try:
            state = wait_until(lambda: (s := watch.poll())["health"] == "unhealthy" and s,
                               timeout=10 + REFRESH_S, what="the page's health to turn red")
            assert "bad" in state["health_class"].split()
            color = page.eval_on_selector("#health", "e => getComputedStyle(e).backgroundColor")
            assert color == "rgb(208, 52, 44)"
        finally:
            stack.start_service("redis")
        wait_until(lambda: watch.poll()["health"] == "healthy", timeout=15,
                   what="the page's health back to healthy with Redis")
