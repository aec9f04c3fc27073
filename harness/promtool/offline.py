"""The second leg: a promtool test file through the offline evaluator, on backfilled blocks.

Per test group: the input series are expanded (sample i at i*interval from unix time
0, as promtool's ``load``) and backfilled with ``harness.offline.backfill``; a
throwaway Prometheus serves the blocks; ``replay.evaluate_group`` evaluates the rules at
promtool's instants. Recording rules' results are backfilled too and the group run
again, until they no longer change (one round per level of rules reading rules).

Comparisons are promtool's: at each ``eval_time`` the firing alerts of the evaluation
at or before it (labels, and annotations rendered), and for ``promql_expr_test`` an
instant query at ``eval_time`` against the exact expected samples.

Not reproducible on blocks, and said so in the case's notes: staleness markers
(``stale``), which OpenMetrics cannot carry (the sample is left out: the series stays
visible for the 5m lookback); the staleness markers Prometheus writes when a recording
rule's series vanishes; the ``ALERTS``/``ALERTS_FOR_STATE`` series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from harness.durations import parse_ms
from harness.offline.backfill import BackfillError, Series, write_openmetrics
from harness.offline.prometheus import RETENTION, throwaway_prometheus
from harness.offline.statemachine import LabelSet
from harness.promtool.instant import QueryError, instant_query
from harness.promtool.official import ERROR, FAIL, PASS, Verdict, case_key
from harness.promtool.replay import (
    Firing,
    GroupRun,
    evaluate_group,
    needed_rules,
    ordered_groups,
    reads_alerts,
)
from harness.promtool.testfile import AlertCase, ExprCase, TestFile, TestGroup
from harness.rules.load import load_rules
from harness.rules.model import RecordingRule, RuleGroup
from harness.rules.promtool import run_promtool

Recorded = dict[LabelSet, list[tuple[int, float]]]
# One block for the whole test: promtool's default 2h blocks make a long series (a test
# of weeks) thousands of blocks and minutes of backfill.
MAX_BLOCK = "87600h"
RETENTION_MS = parse_ms(RETENTION)
STABLE_STEPS = (-2, -1, 0, 1)  # evaluation intervals around eval_time (see ``stable``)


@dataclass(frozen=True)
class OfflineVerdict(Verdict):
    notes: tuple[str, ...] = ()
    # The same firing alerts from two evaluations before to one after: a live run,
    # whose samples and evaluations lag promtool's instants by up to a scrape interval
    # and an evaluation interval, can be compared at eval_time + half an interval.
    stable: bool = False


def run_offline(test_file: TestFile, work_dir: Path) -> dict[str, OfflineVerdict]:
    groups: list[RuleGroup] = [g for path in test_file.rule_files
                               for g in load_rules(path).groups]
    ordered = ordered_groups(groups, test_file.group_eval_order)
    verdicts: dict[str, OfflineVerdict] = {}
    for test in test_file.groups:
        folder = work_dir / f"{test_file.path.stem}-group-{test.index}"
        verdicts.update(_run_test_group(test_file, test, ordered, folder))
    return verdicts


def input_series(test: TestGroup) -> tuple[list[Series], list[str]]:
    """The group's input series as backfill series; notes on what blocks cannot hold."""
    out, notes = [], []
    for one in test.unique_series():
        samples = [(i * test.interval_ms / 1000, v.value) for i, v in enumerate(one.values)
                   if not v.omitted and not v.stale]
        if test.interval_ms == 0 and samples:
            # promtool 2.42 (`load 0s`): every value at time 0; the first one stays.
            samples = samples[:1]
            notes.append(f"line {test.line}: no interval: promtool 2.42 loads every value "
                         "at time 0 (later versions step by evaluation_interval)")
        if any(v.stale for v in one.values):
            notes.append(f"line {one.line}: staleness markers are not backfillable; "
                         f"{one.text} stays visible for the 5m lookback after each")
        labels = {k: v for k, v in one.labels.items() if k != "__name__"}
        if samples:
            out.append(Series(one.labels.get("__name__", ""), samples, labels))
    return out, notes


def _span_ms(test: TestGroup) -> int:
    return max((len(s.values) - 1) * test.interval_ms for s in test.input_series) \
        if test.input_series else 0


def _recorded_series(recorded: Recorded) -> list[Series]:
    out = []
    for key, points in recorded.items():
        labels = dict(key)
        name = labels.pop("__name__")
        out.append(Series(name, [(ts / 1000, v) for ts, v in points], labels))
    return out


def _run_test_group(test_file: TestFile, test: TestGroup, groups: list[RuleGroup],
                    folder: Path) -> dict[str, OfflineVerdict]:
    step = test_file.evaluation_interval_ms
    groups = needed_rules(groups, test)
    instants = list(range(0, test.max_eval_ms() + step + 1, step))
    snapshots = {(c.eval_time_ms // step * step + d * step, c.alertname)
                 for c in test.alert_cases for d in STABLE_STEPS}
    inputs, notes = input_series(test)
    record_alerts = reads_alerts(groups, test)
    if record_alerts:
        notes.append("ALERTS is written without staleness markers: a resolved alert's "
                     "series stays visible for the 5m lookback")
    levels = sum(isinstance(r, RecordingRule) for g in groups for r in g.rules) + record_alerts
    if test.max_eval_ms() > RETENTION_MS or _span_ms(test) > RETENTION_MS:
        notes.append("the test spans more than the throwaway Prometheus's retention "
                     f"({RETENTION}): its oldest blocks are deleted")
    recorded: Recorded = {}
    verdicts: dict[str, OfflineVerdict] = {}
    for round_no in range(levels + 1):
        data_dir = folder / f"round-{round_no}" / "data"
        series = inputs + _recorded_series(recorded)
        _backfill(series, data_dir)
        with throwaway_prometheus(data_dir, evaluation_interval_s=step / 1000,
                                  work_dir=data_dir.parent) as prom:
            run = evaluate_group(prom.url, groups, test, instants, snapshots, record_alerts)
            verdicts = _judge(test, run, step, prom.url, notes)
        if run.error is not None or _same(run.recorded, recorded):
            break
        recorded = run.recorded
    return verdicts


def _backfill(series: list[Series], data_dir: Path) -> None:
    """``harness.offline.backfill``'s OpenMetrics file, written into blocks as large as
    the test (``--max-block-duration``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if not series:
        return
    text = data_dir.parent / "input.om"
    write_openmetrics(series, text)
    result = run_promtool("tsdb", "create-blocks-from", "openmetrics",
                          f"--max-block-duration={MAX_BLOCK}", str(text), str(data_dir))
    if not result.ok:
        raise BackfillError(f"promtool could not backfill {text}:\n  {result.output[-2000:]}")


def _same(a: Recorded, b: Recorded) -> bool:
    """Equal results, NaN equal to NaN."""
    if a.keys() != b.keys():
        return False
    return all(len(a[k]) == len(b[k]) and all(
        x[0] == y[0] and (x[1] == y[1] or (math.isnan(x[1]) and math.isnan(y[1])))
        for x, y in zip(a[k], b[k], strict=True)) for k in a)


def _judge(test: TestGroup, run: GroupRun, step: int, url: str,
           notes: list[str]) -> dict[str, OfflineVerdict]:
    out: dict[str, OfflineVerdict] = {}
    for case in test.alert_cases:
        key = case_key(test.index, "alert_rule_test", case.index)
        if run.error is not None:
            out[key] = OfflineVerdict(ERROR, run.error, tuple(notes))
            continue
        at = case.eval_time_ms // step * step
        got = run.firing.get((at, case.alertname), [])
        verdict = _alert_verdict(case, got, [*notes, *sorted(run.notes)])
        def firing_at(t: int, name: str = case.alertname) -> list[LabelSet]:
            return sorted(tuple(sorted(x.items())) for x, _ in run.firing.get((t, name), []))
        around = [firing_at(at + d * step) for d in STABLE_STEPS]
        out[key] = replace(verdict, stable=at >= 2 * step and all(
            one == around[0] for one in around))
    for expr in test.expr_cases:
        key = case_key(test.index, "promql_expr_test", expr.index)
        out[key] = _expr_verdict(expr, url, notes) if run.error is None else \
            OfflineVerdict(ERROR, run.error, tuple(notes))
    return out


def _alert_verdict(case: AlertCase, got: list[Firing], notes: list[str]) -> OfflineVerdict:
    with_annotations = all(annotations is not None for _, annotations in got)
    def norm(labels: dict[str, str], annotations: dict[str, str] | None) -> tuple[
            LabelSet, LabelSet]:
        shown = annotations if with_annotations and annotations is not None else {}
        return tuple(sorted(labels.items())), tuple(sorted(shown.items()))
    expected = sorted(norm(a.labels, a.annotations) for a in case.exp_alerts)
    actual = sorted(norm(labels, annotations) for labels, annotations in got)
    if not with_annotations:
        notes = [*notes, "annotations not compared (a template not rendered offline)"]
    if expected == actual:
        return OfflineVerdict(PASS, "", tuple(notes))
    return OfflineVerdict(FAIL, f"alertname: {case.alertname}, exp: {expected}, got: {actual}",
                          tuple(notes))


def _expr_verdict(case: ExprCase, url: str, notes: list[str]) -> OfflineVerdict:
    try:
        points = instant_query(url, case.expr, case.eval_time_ms)
    except QueryError as exc:
        return OfflineVerdict(ERROR, f"expr: {case.expr!r}, err: {exc.message}", tuple(notes))
    got = sorted((tuple(sorted(p.labels.items())), p.value) for p in points)
    expected = sorted((tuple(sorted(s.labels.items())), s.value) for s in case.exp_samples)
    # reflect.DeepEqual: exact values, and a NaN never equals anything.
    if len(got) == len(expected) and all(g == e for g, e in zip(got, expected, strict=True)):
        return OfflineVerdict(PASS, "", tuple(notes))
    return OfflineVerdict(FAIL, f"expr: {case.expr!r}, exp: {expected}, got: {got}",
                          tuple(notes))
