"""pytest plugin (entry point ``alert_harness``): only wires hooks.

Scenario YAML files under scenarios/ become one test item each (``name`` or
``name[variant]``) with their ``marks:`` applied, so ``pytest -m alerts`` runs the alert
scenarios. The run options (``--rules``, ``--time-scale``, ...) are the same as the
``harness run`` options, declared once in ``harness.options``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.options import add_pytest_options
from harness.pytest_plugin.items import (
    ScenarioFile,
    ScenarioItem,
    deselect_by_alert,
    deselect_by_shard,
    is_scenario_file,
)
from harness.pytest_plugin.session import HarnessSession, session_key


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("alert-harness", "alert-validation harness")
    add_pytest_options(group)
    group.addoption(
        "--scenarios-dir",
        dest="harness_scenarios_dir",
        action="append",
        default=None,
        help="Also collect scenario files from this folder (repeatable).",
    )


def pytest_configure(config: pytest.Config) -> None:
    session = HarnessSession(config)
    try:
        _ = session.options  # bad run options: pytest's usage error, the CLI's words
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[session_key] = session


def pytest_sessionstart(session: pytest.Session) -> None:
    harness = session.config.stash.get(session_key, None)
    if harness is not None:
        harness.catch_stop_signals()


def pytest_unconfigure(config: pytest.Config) -> None:
    harness = config.stash.get(session_key, None)
    if harness is not None:
        harness.release_stop_signals()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    if is_scenario_file(file_path, parent.config):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(trylast=True)  # after -m/-k: the shard splits what they selected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_by_alert(config, items)
    deselect_by_shard(config, items)  # last: the same split as `harness run --shard`


def pytest_collection_finish(session: pytest.Session) -> None:
    harness = session.config.stash.get(session_key, None)
    if harness is not None:
        harness.plan([i.scenario for i in session.items if isinstance(i, ScenarioItem)])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    harness = session.config.stash.get(session_key, None)
    if harness is not None:
        harness.finish(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
