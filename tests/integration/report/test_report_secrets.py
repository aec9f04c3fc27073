"""A configured secret (PagerDuty routing key, Slack webhook URL) given to a real
``prepare()`` appears nowhere under the report directory, whatever carries it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_support import suite

from harness.paths import CORRECTED_DIR
from harness.prepare import prepare
from harness.report.redact import spellings
from harness.report.writer import write_reports

pytestmark = pytest.mark.integration

ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6"
SLACK_URL = "https://hooks.slack.com/services/T0SECRET/B0SECRET/aBcDeFgHiJkLmNoPqRsTuVwX"


def test_configured_secrets_never_reach_the_reports(tmp_path: Path) -> None:
    for binary in ("prometheus", "prometheus-alertmanager", "redis-server", "amtool"):
        if shutil.which(binary) is None:
            pytest.skip(f"{binary} not installed (make bootstrap)")
    text = (CORRECTED_DIR / "alertmanager.yml").read_text(encoding="utf-8")
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        text.replace("<PAGERDUTY_ROUTING_KEY>", ROUTING_KEY).replace(
            "<SLACK_WEBHOOK_URL>", SLACK_URL
        )
    )
    prepared = prepare(
        rules=[CORRECTED_DIR / "prometheus-alerts.yml"], alertmanager_config=config, time_scale=60.0
    )
    assert {ROUTING_KEY, SLACK_URL} <= set(prepared.secrets)
    # The secrets reach the data every way they can: the rendered config (inputs),
    # a notification payload, a verdict-adjacent note and an error message.
    report_dir = tmp_path / "reports" / "run-1"
    written = write_reports(suite(report_dir, prepared, secret_text=f"{ROUTING_KEY} {SLACK_URL}"))
    assert len(written) == 4
    files = [p for p in report_dir.rglob("*") if p.is_file()]
    assert len(files) >= 6  # report.json, report.html, junit.xml, allure results + attachments
    for path in files:
        content = path.read_text(encoding="utf-8", errors="replace")
        for secret in (ROUTING_KEY, SLACK_URL):
            for form in spellings(secret) | {secret.split("/")[-1]}:
                assert form not in content, f"{form!r} in {path.relative_to(tmp_path)}"
