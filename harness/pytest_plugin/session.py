"""Plugin state for one pytest session (kept in ``config.stash``, not module globals).

The session drives the engine's suite (``harness.engine.suite.Suite``), the same path as
`harness run`: opened on the first scenario item (so ``--co`` prepares nothing), one
scenario per item (``--parallel N``: N at a time, ``ahead.py``), the reports written
when the session finishes.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest

from harness.engine.result import ScenarioResult
from harness.options import RunOptions, options_from_pytest
from harness.pytest_plugin.ahead import RunAhead

if TYPE_CHECKING:
    from harness.engine.suite import Suite
    from harness.scenarios.model import Scenario


class HarnessSession:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._options: RunOptions | None = None
        self._suite: Suite | None = None
        self._planned: list[Scenario] = []  # the selected scenario items, in pytest's order
        self._ahead: RunAhead | None = None
        self._signals = ExitStack()

    def catch_stop_signals(self) -> None:
        """SIGTERM and SIGHUP end the session like Ctrl-C (a CI job cancelled): pytest
        finishes as interrupted and every running scenario's stack stops."""
        from harness.cli.interrupts import interrupts_unwind

        self._signals.enter_context(interrupts_unwind())

    def release_stop_signals(self) -> None:
        self._signals.close()

    @property
    def options(self) -> RunOptions:
        if self._options is None:
            self._options = options_from_pytest(self.config)
        return self._options

    def suite(self) -> Suite:
        """Rules scaled and routes rendered once per session, on first use."""
        if self._suite is None:
            from harness.engine.suite import Suite

            self._suite = Suite.open(self.options)
        return self._suite

    def plan(self, scenarios: list[Scenario]) -> None:
        """The scenarios pytest will run (after every deselection), for ``--parallel``."""
        self._planned = scenarios

    def run(self, scenario: Scenario) -> ScenarioResult:
        suite = self.suite()
        if self.options.parallel > 1:
            if self._ahead is None:  # the first scenario item: start them all, N at a time
                self._ahead = RunAhead(suite, self._planned, self.options.parallel)
            result = self._ahead.result_of(scenario)
        else:
            result = suite.run_one(scenario)
        if self.config.pluginmanager.hasplugin("allure_listener"):
            from harness.report.allure import attach_to_allure

            # Charts and verdicts onto the running item's allure result (--alluredir).
            attach_to_allure(result, suite.prepared)
        return result

    def finish(self, *, interrupted: bool = False) -> None:
        if self._suite is None:
            return
        from harness.report.writer import write_reports

        if self._ahead is not None:
            self._ahead.close(interrupted=interrupted)
        result = self._suite.finish()
        if interrupted:  # Ctrl-C: the reports say they are partial
            self._suite.mark_incomplete("SIGINT")
        # allure-pytest writes allure-results itself (--alluredir), charts attached above.
        write_reports(result, allure=False)


session_key = pytest.StashKey[HarnessSession]()
