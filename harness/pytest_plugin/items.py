"""Scenario files and items: collection, marks, failure reports without tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.engine.result import ScenarioResult
from harness.engine.shard import empty_shard, take_shard
from harness.errors import HarnessError
from harness.paths import SCENARIOS_DIR
from harness.pytest_plugin.session import session_key
from harness.scenarios.loader import load_scenario
from harness.scenarios.model import Scenario

SUFFIXES = (".yaml", ".yml")


def is_scenario_file(path: Path, config: pytest.Config) -> bool:
    if path.suffix not in SUFFIXES:
        return False
    roots = [SCENARIOS_DIR, *(Path(p).resolve() for p in config.getoption(
        "harness_scenarios_dir") or ())]
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in roots)


def deselect_by_alert(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--alert NAME``: drop the scenario items that expect nothing of NAME."""
    alerts = set(config.stash[session_key].options.alerts)
    if not alerts:
        return
    keep, drop = [], []
    for item in items:
        if isinstance(item, ScenarioItem) and not alerts & set(item.scenario.alerts()):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def deselect_by_shard(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--shard I/N``: keep this shard's scenario items (after every other selection);
    other tests are not sharded. A shard left with no scenario is a usage error."""
    shard = config.stash[session_key].options.shard
    scenarios = [item for item in items if isinstance(item, ScenarioItem)]
    if shard is None or not scenarios:
        return
    mine = {id(item) for item in take_shard(scenarios, shard, lambda i: i.scenario.id)}
    if not mine:
        raise pytest.UsageError(str(empty_shard(shard, len(scenarios))))
    drop = [item for item in scenarios if id(item) not in mine]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if not isinstance(i, ScenarioItem) or id(i) in mine]


class ScenarioFailed(Exception):
    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.scenario_id)
        self.result = result


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenarios = load_scenario(self.path)
        except HarnessError as exc:
            raise self.CollectError(str(exc)) from None
        for scenario in scenarios:
            item = ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)
            for mark in scenario.marks:
                item.add_marker(getattr(pytest.mark, mark))
            yield item


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        harness = self.config.stash[session_key]
        result = harness.run(self.scenario)
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        exc = excinfo.value
        if isinstance(exc, ScenarioFailed):
            from harness.pytest_plugin.failure import describe_failure

            return describe_failure(self.scenario, exc.result)
        if isinstance(exc, HarnessError):
            return str(exc)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.id}"
