"""One live SLO run (one stack: a short degraded stretch, then baseline load)."""

from __future__ import annotations

import pytest

from harness.options import options_from_pytest
from harness.paths import CORRECTED_DIR
from harness.slo.live import SloPlan, Stretch, run_slo_checks, summary
from harness.slo.model import load_slo

SLO_FILE = CORRECTED_DIR / "slo.yml"


@pytest.fixture(scope="session")
def slo_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Stretch]:
    plan = SloPlan(time_scale=options_from_pytest(request.config).time_scale)
    stretches = run_slo_checks(load_slo(SLO_FILE), plan, tmp_path_factory.mktemp("slo"))
    print(summary(stretches))
    return stretches
