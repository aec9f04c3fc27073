"""A promtool test file through the legs the caller asks for, as report rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

from harness.promtool.checks import check_eval_times
from harness.promtool.live import LiveVerdict, run_live_group
from harness.promtool.official import Verdict, run_cases
from harness.promtool.offline import OfflineVerdict, run_offline
from harness.promtool.report import CaseRow, rows_for
from harness.promtool.testfile import TestFile, load_test_file
from harness.rules.load import load_rules
from harness.rules.scale import scale_rules


def check_file(path: Path, allow_beyond_series: bool = False,
               live_k: float | None = None) -> TestFile:
    """The test file and its rules loaded and checked: every bad input, before any leg
    (with ``live_k``, that the rules can be scaled by it)."""
    test_file = load_test_file(path)
    groups = [g for rule_file in test_file.rule_files for g in load_rules(rule_file).groups]
    if not allow_beyond_series:
        check_eval_times(test_file, groups)
    if live_k is not None:
        for group in test_file.groups:
            scrape_s = (group.interval_ms or test_file.evaluation_interval_ms) / 1000 / live_k
            for rule_file in test_file.rule_files:
                scale_rules(load_rules(rule_file), live_k, scrape_interval_s=scrape_s)
    return test_file


def run_test_file(path: Path, *, offline: bool = True, allow_beyond_series: bool = False,
                  work_dir: Path | None = None, live_k: float | None = None,
                  ) -> tuple[list[CaseRow], list[str]]:
    """The rows of one file and the loader's warnings. Bad input raises first, before
    any leg runs."""
    test_file = check_file(path, allow_beyond_series, live_k)
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
                    live.update(run_live_group(test_file, group, live_k,
                                               root / "live" / str(group.index), stable))
    return rows_for(test_file, promtool, offline_verdicts, live), test_file.warnings
