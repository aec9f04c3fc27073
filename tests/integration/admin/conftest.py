"""One stack for the System Admin page's tests: the corrected alert rules and
Alertmanager configuration, time scale 60, the page refreshing every second."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from admin_helpers import REFRESH_S, TIME_SCALE

from harness.errors import HarnessError
from harness.paths import CORRECTED_DIR
from harness.prepare import PreparedRun, prepare
from harness.stack import open_stack
from harness.stack.base import Stack
from harness.stack.binaries import require_binaries

PROGRAMS = ("redis-server", "prometheus", "alertmanager", "amtool")


@pytest.fixture(scope="module")
def prepared() -> PreparedRun:
    try:
        require_binaries(PROGRAMS)
    except HarnessError as exc:
        pytest.skip(f"{exc} (make bootstrap)")
    return prepare(
        rules=[CORRECTED_DIR / "prometheus-alerts.yml"],
        alertmanager_config=CORRECTED_DIR / "alertmanager.yml",
        time_scale=TIME_SCALE,
    )


@pytest.fixture(scope="module")
def stack(prepared: PreparedRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    spec = replace(
        prepared.for_scenario("admin-page"),
        state_dir=tmp_path_factory.mktemp("admin") / "state",
        target_env={"TARGET_ADMIN_REFRESH": str(REFRESH_S), "TARGET_FAULT_SEED": "7"},
    )
    with open_stack(spec) as running:
        running.wait_scraped(timeout=20)
        yield running
