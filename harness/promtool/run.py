"""A promtool test file through the legs the caller asks for, as report rows."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.promtool.checks import check_eval_times
from harness.promtool.live import LiveVerdict, run_live_group
from harness.promtool.official import Verdict, run_cases
from harness.promtool.offline import OfflineVerdict, run_offline
from harness.promtool.report import CaseRow, rows_for
from harness.promtool.routing import NotificationVerdict, Routing, prepare_routing
from harness.promtool.testfile import PromtoolTestError, TestFile, load_test_file, side_file
from harness.rules.load import load_rules
from harness.rules.scale import scale_rules


@dataclass
class FileResult:
    """One file's rows, the loader's warnings and, with an Alertmanager configuration,
    the exp_notifications verdicts and the notifications each group's replay produced."""

    rows: list[CaseRow]
    warnings: list[str] = field(default_factory=list)
    notifications: list[NotificationVerdict] = field(default_factory=list)
    observed: list[dict[str, Any]] = field(default_factory=list)
    routing: Routing | None = None


def check_file(path: Path, allow_beyond_series: bool = False,
               live_k: float | None = None, alertmanager_config: Path | None = None,
               ) -> tuple[TestFile, Routing | None]:
    """The test file and its rules loaded and checked: every bad input, before any leg
    (with ``live_k``, that the rules can be scaled by it; with ``alertmanager_config``,
    the configuration and the side file of exp_notifications)."""
    test_file = load_test_file(path)
    groups = [g for rule_file in test_file.rule_files for g in load_rules(rule_file).groups]
    if not allow_beyond_series:
        check_eval_times(test_file, groups)
    if live_k is not None:
        for group in test_file.groups:
            scrape_s = (group.interval_ms or test_file.evaluation_interval_ms) / 1000 / live_k
            for rule_file in test_file.rule_files:
                scale_rules(load_rules(rule_file), live_k, scrape_interval_s=scrape_s)
    if alertmanager_config is None:
        if side_file(test_file.path).is_file():
            test_file.warnings.append(f"{side_file(test_file.path)} not checked: its "
                                      "exp_notifications need --alertmanager-config and --live")
        return test_file, None
    if live_k is None:
        raise PromtoolTestError("--alertmanager-config routes the alerts of the live replay: "
                                "it needs --live K", hint="e.g. --live 60")
    return test_file, prepare_routing(alertmanager_config, live_k, test_file)


def run_test_file(path: Path, *, offline: bool = True, allow_beyond_series: bool = False,
                  work_dir: Path | None = None, live_k: float | None = None,
                  alertmanager_config: Path | None = None) -> FileResult:
    """The rows of one file and the loader's warnings. Bad input raises first, before
    any leg runs."""
    test_file, routing = check_file(path, allow_beyond_series, live_k, alertmanager_config)
    result = FileResult([], test_file.warnings, routing=routing)
    with tempfile.TemporaryDirectory(prefix="promtool-test-") as tmp:
        root = work_dir or Path(tmp)
        promtool: dict[str, Verdict] = run_cases(test_file, root / "promtool")
        offline_verdicts: dict[str, OfflineVerdict] = (
            run_offline(test_file, root / "offline") if offline or live_k else {})
        live: dict[str, LiveVerdict] = {}
        if live_k is not None:
            stable = {k: v.stable for k, v in offline_verdicts.items()}
            for group in test_file.groups:
                if group.alert_cases:
                    one = run_live_group(test_file, group, live_k,
                                         root / "live" / str(group.index), stable, routing)
                    live.update(one.verdicts)
                    result.notifications += one.notifications
                    result.observed += [{"file": str(test_file.path), **o}
                                        for o in one.observed]
    result.rows = rows_for(test_file, promtool, offline_verdicts, live)
    return result
