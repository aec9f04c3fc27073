"""Offline evaluation against promtool, on three days of backfilled history.

The same series go two ways: into TSDB blocks (``promtool tsdb create-blocks-from
openmetrics``) served by a throwaway Prometheus, which the offline evaluator range-queries;
and into a promtool unit-test file as ``input_series``. The backfill starts at ``BASE``, a
multiple of the evaluation interval E, and promtool's series start at its time 0, so its
evaluation instants 0, E, 2E... are the offline evaluation timestamps BASE, BASE+E, ...
and both read the same samples at every instant.

The comparison is exact: at EVERY evaluation instant of the three days the firing alerts
that the offline episodes imply are written as ``exp_alerts`` and promtool must agree
(promtool compares firing alerts only, but the firing sets at every instant determine
every ``fired_at`` and ``resolved_at``). It is exact, not within one interval, because
nothing differs between the two: the same samples, the same PromQL engine at the same
instants (a range query evaluates each step as an instant query), and the same start
(empty state at the first instant). Live runs differ by up to one interval (a group's
evaluation instants are offset from multiples of E); that is the live fidelity test's
business, not this one's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from harness.cli.main import main
from harness.durations import format_ms
from harness.offline.backfill import Series, backfill
from harness.offline.evaluate import Evaluation, evaluate
from harness.offline.prometheus import Throwaway, throwaway_prometheus
from harness.offline.source import PrometheusSource, SourceOptions
from harness.rules.load import load_rules
from harness.rules.promtool import test_rules as promtool_test_rules

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

E = 60  # evaluation interval and sample interval, seconds
BASE = 1_700_006_400  # 2023-11-15T00:00:00Z, a multiple of E
DAYS = 3
STEPS = DAYS * 86_400 // E  # evaluation instants after the first
MAX_POINTS = 1000  # points per query: a 3-day range at 1m takes 5 chunks

# Queue depth per minute as (value, minutes) runs: a 30-minute fault, a 5-minute transient
# (shorter than `for: 10m`), a 40-minute moderate rise, a flapping spell, two queues.
RUNS = {
    "a": [(10, 600), (90, 30), (10, 1200), (95, 5), (10, 1000), (60, 40), (10, 300)]
    + [(90, 2), (10, 2)] * 5
    + [(10, 1126)],
    "b": [(20, 3600), (70, 20), (20, 701)],
}

RULES = """
groups:
  - name: queues
    interval: 1m
    rules:
      - alert: HighQueueDepth
        expr: avg_over_time(test_queue_depth[5m]) > 50
        for: 10m
        labels: {severity: page}
      - alert: QueueSpike
        expr: test_queue_depth > 85
        keep_firing_for: 3m
"""

CANDIDATES = """
groups:
  - name: candidates
    interval: 1m
    rules:
      - alert: Depth40
        expr: avg_over_time(test_queue_depth[5m]) > 40
        for: 10m
      - alert: Depth80
        expr: avg_over_time(test_queue_depth[5m]) > 80
        for: 10m
"""


def values(runs: list[tuple[int, int]]) -> list[float]:
    found = [float(v) for v, n in runs for _ in range(n)]
    assert len(found) == STEPS + 1, len(found)
    return found


def promtool_values(runs: list[tuple[int, int]]) -> str:
    return " ".join(f"{v}x{n - 1}" for v, n in runs)  # `vxN` is N+1 samples


@dataclass(frozen=True)
class History:
    prometheus: Throwaway
    work: Path


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    work = tmp_path_factory.mktemp("offline")
    series = [
        Series(
            "test_queue_depth",
            [(BASE + i * E, v) for i, v in enumerate(values(runs))],
            {"queue": queue},
        )
        for queue, runs in RUNS.items()
    ]
    assert backfill(series, work / "data") == 2 * (STEPS + 1)
    with throwaway_prometheus(work / "data", evaluation_interval_s=E) as prometheus:
        yield History(prometheus, work)


def evaluate_file(history: History, text: str, name: str) -> tuple[list[Evaluation], int]:
    path = history.work / name
    path.write_text(text, encoding="utf-8")
    with PrometheusSource(
        SourceOptions(url=history.prometheus.url, max_points=MAX_POINTS)
    ) as source:
        results = evaluate(load_rules(path).alerts, source, BASE, BASE + STEPS * E)
        return results, source.queries


def promtool_file(history: History, rule_file: str, results: list[Evaluation], name: str) -> Path:
    """A promtool test expecting, at every instant, the alerts the episodes say fire."""
    checks = []
    for step in range(STEPS + 1):
        at = BASE + step * E
        for result in results:
            firing = [
                {k: v for k, v in e.labels if k != "alertname"}
                for e in result.episodes
                if e.fired_at is not None
                and e.fired_at <= at
                and (e.resolved_at is None or at < e.resolved_at)
            ]
            checks.append(
                {
                    "eval_time": f"{step * E}s",
                    "alertname": result.rule.name,
                    "exp_alerts": [{"exp_labels": labels} for labels in firing],
                }
            )
    test = {
        "rule_files": [rule_file],
        "evaluation_interval": f"{E}s",
        "tests": [
            {
                "interval": f"{E}s",
                "input_series": [
                    {"series": f'test_queue_depth{{queue="{q}"}}', "values": promtool_values(r)}
                    for q, r in RUNS.items()
                ],
                "alert_rule_test": checks,
            }
        ],
    }
    path = history.work / name
    path.write_text(yaml.safe_dump(test, sort_keys=False), encoding="utf-8")
    return path


def spans(result: Evaluation) -> list[tuple[str, float, float | None, float | None]]:
    """(queue, minutes after BASE of active_at, fired_at, resolved_at) per episode."""

    def minutes(t: float | None) -> float | None:
        return None if t is None else (t - BASE) / 60

    return [
        (e.label_dict["queue"], *(minutes(t) for t in (e.active_at, e.fired_at, e.resolved_at)))  # type: ignore[misc]
        for e in result.episodes
    ]


def test_rules_as_written_agree_with_promtool_at_every_instant(history: History) -> None:
    (high, spike), _ = evaluate_file(history, RULES, "rules.yml")
    # Prometheus 2.42's [5m] holds 6 one-minute samples (both ends included), so the 5-minute
    # average of queue a's 30-minute fault at 90 first exceeds 50 after 4 samples at 90
    # (active at 603), fires 10 minutes later, and resolves once 3 or fewer are left (632).
    # The 5-minute transient and each flap of the flapping spell stay pending (< 10m).
    assert spans(high) == [
        ("a", 603, 613, 632),
        ("a", 1832, None, 1838),
        ("a", 2839, 2849, 2876),
        *[("a", m, None, m + 1) for m in (3180, 3184, 3188, 3192)],
        ("b", 3603, 3613, 3622),
    ]
    assert {e.label_dict["severity"] for e in high.episodes} == {"page"}
    # keep_firing_for: 3m holds through the 2-minute gaps of the flapping spell (one
    # episode) and past each end: missing from minute 630, resolved at 633.
    assert spans(spike) == [("a", 600, 600, 633), ("a", 1830, 1830, 1838), ("a", 3175, 3175, 3196)]
    result = promtool_test_rules(promtool_file(history, "rules.yml", [high, spike], "t.yml"))
    assert result.ok, result.output


def test_two_thresholds_share_one_query_per_chunk_and_agree_with_promtool(
    history: History,
) -> None:
    (low, high), queries = evaluate_file(history, CANDIDATES, "candidates.yml")
    chunks = -(-(STEPS + 1) // MAX_POINTS)
    assert queries == chunks == 5
    assert low.query == high.query == "avg_over_time(test_queue_depth[5m])"
    assert len(low.fired) == 3 and len(high.fired) == 1
    result = promtool_test_rules(promtool_file(history, "candidates.yml", [low, high], "c.yml"))
    assert result.ok, result.output


def test_the_promtool_comparison_fails_when_an_episode_is_off_by_one_interval(
    history: History,
) -> None:
    (high, spike), _ = evaluate_file(history, RULES, "rules.yml")
    first = high.episodes[0]
    assert first.fired_at is not None
    shifted = type(first)(first.labels, first.active_at, first.fired_at - E, first.resolved_at)
    wrong = Evaluation(**{**high.__dict__, "episodes": (shifted, *high.episodes[1:])})
    result = promtool_test_rules(promtool_file(history, "rules.yml", [wrong, spike], "w.yml"))
    assert not result.ok
    assert f"time: {format_ms(round((first.fired_at - E - BASE) * 1000))}," in result.output


def test_the_throwaway_prometheus_is_stopped_when_the_block_raises(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with (
        pytest.raises(RuntimeError, match="boom"),
        throwaway_prometheus(tmp_path / "empty", work_dir=tmp_path) as prometheus,
    ):
        process = prometheus.process
        assert process.is_running()
        raise RuntimeError("boom")
    assert process.poll() is not None


def test_backtest_command_prints_the_episodes_of_each_candidate(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = history.work / "cli.yml"
    rules.write_text(RULES, encoding="utf-8")
    argv = ["backtest", "--prometheus-url", history.prometheus.url, "--rules", str(rules)]
    argv += ["--alert", "HighQueueDepth", "--threshold", "80"]
    argv += ["--until", str(BASE + STEPS * E), "--since", f"{DAYS}d", "--format", "json"]
    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr().out
    assert info.value.code == 0, out
    found = json.loads(out)
    # The two candidates (> 80, then > 50 as written) share one query of the 4321 instants.
    assert found["queries"] == 1
    high, written = found["candidates"]
    assert high["expr"] == "avg_over_time(test_queue_depth[5m]) > 80.0"
    assert (high["episodes"], high["firing_s"], high["as_written"]) == (1, 900, False)
    assert (written["episodes"], written["firing_s"], written["as_written"]) == (3, 3300, True)
    assert written["longest_s"] == 27 * 60
    assert written["fired"][0]["fired_at"] == "2023-11-15T10:13:00Z"
    assert written["fired"][0]["resolved_at"] == "2023-11-15T10:32:00Z"
    assert written["pages_per_week"] == round(3 / (DAYS / 7), 3)
