"""report.html in a real browser (headless Chromium, no network): the summary table and
one chart per alert are on the rendered page, and a screenshot is drawn."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR
from harness.report.html import load_report, write_html

pytestmark = pytest.mark.integration

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "report" / "report.json"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--hide-scrollbars",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    profile = tmp_path / "profile"  # a fresh profile per run
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    return write_html(load_report(FIXTURE), out / "report.html")


def test_rendered_dom_has_summary_and_a_chart_per_alert(page: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    report = load_report(FIXTURE)
    summary = re.search(r'<table class="summary">.*?</table>', dom, re.S)
    assert summary, "summary table missing from the rendered page"
    for s in report.scenarios:
        assert s.id in summary.group(0)
        section = re.search(
            rf'<section class="card scenario" id="[^"]*{re.escape(s.id)}".*?'
            r"</section>",
            dom,
            re.S,
        )
        assert section, s.id
        for alert in {a.alert for a in s.series}:
            block = re.search(
                rf'<div class="alert" data-alert="{alert}">.*?</svg>', section.group(0), re.S
            )
            assert block and 'class="chart"' in block.group(0), (s.id, alert)
            assert 'class="value-line"' in block.group(0)


def test_screenshot_is_drawn(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,1400", page.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000  # a blank page is ~5 kB
