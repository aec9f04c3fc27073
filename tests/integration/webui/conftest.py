"""One stack for the Locust alerts tab: the corrected alert rules and Alertmanager
configuration at time scale 60 (HighErrorRate's 5 m window and `for` become 5 s)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from harness.errors import HarnessError
from harness.paths import CORRECTED_DIR
from harness.prepare import prepare
from harness.stack import open_stack
from harness.stack.base import Stack
from harness.stack.binaries import require_binaries

PROGRAMS = ("redis-server", "prometheus", "alertmanager", "amtool")
TIME_SCALE = 60.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    try:
        require_binaries(PROGRAMS)
    except HarnessError as exc:
        pytest.skip(f"{exc} (make bootstrap)")
    prepared = prepare(
        rules=[CORRECTED_DIR / "prometheus-alerts.yml"],
        alertmanager_config=CORRECTED_DIR / "alertmanager.yml",
        time_scale=TIME_SCALE,
    )
    spec = replace(
        prepared.for_scenario("locust-alerts-tab"),
        state_dir=tmp_path_factory.mktemp("webui") / "state",
        target_env={"TARGET_FAULT_SEED": "7", "TARGET_LOG_LEVEL": "warning"},
    )
    with open_stack(spec) as running:
        running.wait_scraped(timeout=20)
        yield running
