"""The Locust web UI's Alerts tab against a real stack, in a browser: a run started from
the start form with an error fault; the tab shows HighErrorRate pending, then firing
above its threshold, and the Notifications tab the capture receiver's notification."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.load import LocustConfig, LocustRun
from harness.load.command import DEFAULT_LOCUSTFILE
from harness.paths import LOCUSTFILES_DIR
from harness.stack.base import Stack
from tests.support.browser import browser_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.integration
TAB_FILE = LOCUSTFILES_DIR / "addons" / "alerts_tab.py"
ALERT = "HighErrorRate"
# Set to a directory to keep the firing tab's screenshot (docs/locust-alerts-tab.png).
SCREENSHOT_ENV = "HARNESS_WEBUI_SCREENSHOT_DIR"
_ROW_STATE = """(alert) => {
  const row = [...document.querySelectorAll('tr')].find(
    (r) => r.cells.length && r.cells[0].innerText.trim() === alert);
  return row ? [...row.cells].map((c) => c.innerText.trim()) : null;
}"""


def _row(page: Page, seen: list[list[str]]) -> list[str] | None:
    cells = page.evaluate(_ROW_STATE, ALERT)
    if cells and (not seen or seen[-1] != cells):
        seen.append(cells)
    return cells


def _start_from_form(page: Page, api: str, token: str) -> None:
    page.fill('input[name="userCount"]', "4")
    page.fill('input[name="spawnRate"]', "4")
    page.fill('input[name="host"]', api)
    page.get_by_text("Custom parameters").click()
    page.fill('input[name="thinkTime"]', "0.2")
    page.fill('input[name="faultToken"]', token)
    page.fill('input[name="faultErrorsRatio"]', "0.5")
    page.get_by_role("button", name="Start").click()


def _wait_state(page: Page, state: str, seen: list[list[str]], timeout_ms: int) -> list[str]:
    """Poll the rendered row (the UI refreshes it every 2 s) until its state is ``state``."""
    page.wait_for_function(
        f"(a) => ({_ROW_STATE})(a) && ({_ROW_STATE})(a)[1] === {state!r}",
        arg=ALERT,
        timeout=timeout_ms,
        polling=250,
    )
    row = _row(page, seen)
    assert row is not None
    return row


def test_alerts_tab_shows_high_error_rate_pending_then_firing(stack: Stack, tmp_path: Path) -> None:
    ends = stack.endpoints
    token = stack.receiver.token or ""
    cfg = LocustConfig(
        host=ends.api,
        users=4,
        spawn_rate=4,
        web_ui=True,
        max_duration=150,
        locustfiles=(DEFAULT_LOCUSTFILE, TAB_FILE),
        fault_token=token,
        extra_args=(
            "--prometheus-url",
            ends.prometheus,
            "--inbox-url",
            ends.receiver.rstrip("/") + "/inbox",
        ),
    )
    seen: list[list[str]] = []
    with LocustRun(cfg, tmp_path / "locust") as run, browser_page() as page:
        run.wait_ready()
        page.goto(run.web_url)
        _start_from_form(page, ends.api, token)
        page.get_by_role("tab", name="Alerts").click()
        inactive = _wait_state(page, "inactive", seen, 20_000)
        assert inactive[3] == "> 0.05", inactive
        _wait_state(page, "pending", seen, 60_000)
        firing = _wait_state(page, "firing", seen, 60_000)
        assert float(firing[2]) > 0.05, firing  # the value, above its threshold
        assert firing[4], f"no 'active since' time: {firing}"
        _keep_screenshot(page, tmp_path)
        page.get_by_role("tab", name="Notifications").click()
        page.get_by_role("cell", name=ALERT).first.wait_for(timeout=60_000)
    states = [row[1] for row in seen]
    assert states.index("pending") < states.index("firing"), seen


def _keep_screenshot(page: Page, tmp_path: Path) -> None:
    shot = tmp_path / "locust-alerts-tab.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 0
    keep = os.environ.get(SCREENSHOT_ENV)
    if keep:
        shutil.copy(shot, Path(keep) / shot.name)
