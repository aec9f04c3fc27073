"""Plugin state for one pytest session (kept in ``config.stash``, not module globals)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from harness.engine.result import ScenarioResult
from harness.options import RunOptions, options_from_pytest

if TYPE_CHECKING:
    from harness.engine.suite import SuiteResult
    from harness.prepare import PreparedRun
    from harness.scenarios.model import Scenario


class HarnessSession:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._options: RunOptions | None = None
        self._prepared: PreparedRun | None = None
        self._suite: SuiteResult | None = None

    @property
    def options(self) -> RunOptions:
        if self._options is None:
            self._options = options_from_pytest(self.config)
        return self._options

    def prepared(self) -> PreparedRun:
        """Rules scaled and routes rendered once per session, on first use."""
        if self._prepared is None:
            from harness.engine.suite import prepare_run

            self._prepared = prepare_run(self.options)
        return self._prepared

    def run(self, scenario: Scenario) -> ScenarioResult:
        from harness.engine.runner import run_scenario
        from harness.engine.suite import SuiteResult, new_run_dir, select

        prepared = self.prepared()
        select([scenario], prepared, self.options)  # unknown alert/receiver: clear error
        if self._suite is None:
            run_id, run_dir = new_run_dir(self.options.report_dir)
            self._suite = SuiteResult(run_id, run_dir, prepared, self.options,
                                      started=time.time())
        out = self._suite.report_dir / "scenarios" / scenario.id.replace("/", "_")
        result = run_scenario(scenario, prepared, self.options, out)
        self._suite.results.append(result)
        self._attach(result, prepared)
        return result

    def _attach(self, result: ScenarioResult, prepared: PreparedRun) -> None:
        """Charts and verdicts onto the running item's allure result (with --alluredir)."""
        if self.config.pluginmanager.hasplugin("allure_listener"):
            from harness.report.allure import attach_to_allure

            attach_to_allure(result, prepared)

    def deselect_by_alert(self, items: list[pytest.Item]) -> None:
        alerts = set(self.options.alerts)
        if not alerts:
            return
        from harness.pytest_plugin.items import ScenarioItem

        keep, drop = [], []
        for item in items:
            if isinstance(item, ScenarioItem) and not alerts & set(item.scenario.alerts()):
                drop.append(item)
            else:
                keep.append(item)
        if drop:
            self.config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def finish(self) -> None:
        if self._suite is None:
            return
        from harness.report.writer import write_reports

        self._suite.ended = time.time()
        # allure-pytest writes allure-results itself (--alluredir), charts attached above.
        write_reports(self._suite, allure=False)


session_key = pytest.StashKey[HarnessSession]()
