"""Reading the System Admin page in a real browser: sign in through its form, read what
it shows (each refresh's figures are recorded by the time the page says they are for),
search its logs, and attach a screenshot to the test's report."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from harness.load.stats import LoadStats
from harness.queries.truth import count_between

if TYPE_CHECKING:
    from playwright.sync_api import Page

TIME_SCALE = 60.0
REFRESH_S = 1.0  # the page's refresh period in these tests (TARGET_ADMIN_REFRESH)
ADMIN = {"X-User-Id": "admin-1", "X-Tenant-Id": "tenant-1", "X-Role": "system_admin"}
_STATE = """() => {
  const q = (s) => document.querySelector(s);
  const num = (s) => (q(s).dataset.value ? Number(q(s).dataset.value) : null);
  return {
    at: q('#figures').dataset.at ? Number(q('#figures').dataset.at) : null,
    request_rate: num('#request_rate'),
    error_rate: num('#error_rate'),
    health: q('#health').dataset.status || null,
    health_class: q('#health').className,
    alerts: [...document.querySelectorAll('#alerts tbody tr')].map((r) => r.dataset.alert),
  };
}"""


def sign_in(page: Page, api: str) -> None:
    """Open the page as a person would: its 401 sign-in form, then the page."""
    response = page.goto(f"{api}/admin/monitoring")
    assert response is not None and response.status == 401
    page.fill("input[name=user_id]", ADMIN["X-User-Id"])
    page.fill("input[name=tenant_id]", ADMIN["X-Tenant-Id"])
    page.fill("input[name=role]", ADMIN["X-Role"])
    page.click("button[type=submit]")
    page.wait_for_selector("#figures[data-at]")


@dataclass
class Watch:
    """The page's state at each poll; every refresh's figures kept by their time."""

    page: Page
    samples: dict[float, dict[str, Any]] = field(default_factory=dict)

    def poll(self) -> dict[str, Any]:
        state: dict[str, Any] = self.page.evaluate(_STATE)
        if state["at"] is not None:
            self.samples.setdefault(state["at"], state)
        return state

    def between(self, start: float, end: float) -> list[dict[str, Any]]:
        return [s for at, s in sorted(self.samples.items()) if start <= at <= end]


def search_logs(page: Page, query: str) -> dict[str, Any]:
    """Run ``query`` in the page's log search; the note's count and the rows shown."""
    page.fill("#log-query", query)
    page.click("#log-form button[type=submit]")
    page.wait_for_selector("#log-note[data-matched]", timeout=10_000)
    return dict(page.evaluate(
        """() => ({matched: document.querySelector('#log-note').dataset.matched,
                   rows: [...document.querySelectorAll('#logs tbody tr')].map(
                       (r) => [...r.cells].map((c) => c.textContent))})"""
    ))


def scraped_span(prometheus: str, at: float, window: float) -> tuple[float, float]:
    """The stretch of the API's requests that a ``rate()`` queried at ``at`` measured
    (and extrapolated): from its first to its last scrape inside the range window. A
    scrape is stamped when it starts, but the counters are read when the API answers,
    at its end (stamp + scrape_duration_seconds: up to a second later on a busy
    machine); and a scrape still under way at ``at`` was not yet stored, so the query
    did not see it either."""
    query = f'scrape_duration_seconds{{job="api"}}[{round(window * 1000)}ms]'
    params = {"query": query, "time": f"{at:.3f}"}
    body = httpx.get(f"{prometheus}/api/v1/query", params=params, trust_env=False).json()
    ends = [float(t) + float(d) for t, d in body["data"]["result"][0]["values"]]
    stored = [end for end in ends if end <= at] or ends[:1]
    return stored[0], stored[-1]


def locust_truth(stats: LoadStats, span: tuple[float, float]) -> tuple[float, float]:
    """(requests/s, failure ratio) Locust saw between two scrapes: what the dashboards'
    rate() at that instant measures if it counts right (per-second counts, edges prorated)."""
    a, b = span
    requests = sum(count_between(e.per_second, a, b) for e in stats.endpoints)
    failures = sum(count_between(e.failures_per_second, a, b) for e in stats.endpoints)
    return requests / (b - a), failures / requests if requests else float("nan")


def locust_5xx(stats: LoadStats) -> int:
    """Requests Locust saw fail with a 500 (GET: "status 500"; POST: "500 Server Error")."""
    return sum(k.occurrences for k in stats.failure_kinds if "500" in k.error)


def save_screenshot(page: Page, folder: Path, name: str, copy_to: str | None) -> Path:
    """The page as a PNG in the test's folder, attached to the allure report when allure
    is collecting, and copied to ``copy_to`` when set."""
    shot = folder / name
    page.screenshot(path=str(shot), full_page=True)
    try:
        import allure

        allure.attach.file(str(shot), name=name, attachment_type=allure.attachment_type.PNG)
    except ImportError:
        pass
    if copy_to:
        shutil.copyfile(shot, copy_to)
    return shot
