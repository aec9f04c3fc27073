"""Second step: check a loaded scenario against the rules and routes under test."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from harness.errors import InputError, ScenarioError
from harness.scenarios.model import Scenario
from harness.yamlsource import KeyPath, format_path, suggest, unknown


def validate_against(
    scenario: Scenario, alert_names: Collection[str], receivers: Collection[str]
) -> None:
    """Every alert the scenario names is a rule under test; every receiver is configured.

    Raises ``ScenarioError`` at the line of the first unknown name, with a did-you-mean.
    """
    for i, exp in enumerate(scenario.expect):
        if exp.alert not in alert_names:
            _fail(scenario, ("expect", i, "alert"), *unknown("alert", exp.alert, alert_names))
        if exp.notifies is None:
            continue
        for field in ("receivers", "not_receivers"):
            for j, name in enumerate(getattr(exp.notifies, field)):
                if name not in receivers:
                    loc = ("expect", i, "notifies", field, j)
                    _fail(scenario, loc, *unknown("receiver", name, receivers))


def select_by_alert(scenarios: Iterable[Scenario], alerts: Collection[str]) -> list[Scenario]:
    """The scenarios that expect something of any of ``alerts`` (``--alert NAME``).

    An alert no scenario mentions is an input error (with a did-you-mean), not an empty run.
    """
    scenarios = list(scenarios)
    known = {name for s in scenarios for name in s.alerts()}
    for name in alerts:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise InputError(
                f"No scenario expects anything of alert '{name}'{suggest(name, known)}",
                hint=f"alerts the scenarios cover: {listed}",
            )
    return [s for s in scenarios if any(a in alerts for a in s.alerts())]


def _fail(scenario: Scenario, loc: KeyPath, message: str, hint: str | None) -> None:
    raise ScenarioError(
        message,
        path=scenario.source,
        line=scenario.line_of(loc),
        key=format_path(loc),
        hint=hint,
    )
