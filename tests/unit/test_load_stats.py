"""LoadStats from the files of a real run (tests/unit/fixtures/locust_run: school.py against
the target, 3 users, a 3 s steady phase then 3 s with 50% errors on /api/students/{id})."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from harness.load import LoadError, LoadStats
from harness.load.stats import AGGREGATED

FIXTURE = Path(__file__).parent / "fixtures" / "locust_run"


@pytest.fixture(scope="module")
def stats() -> LoadStats:
    return LoadStats.from_dir(FIXTURE)


def _csv_rows() -> dict[str, dict[str, str]]:
    with open(FIXTURE / "locust_stats.csv", newline="") as fh:
        return {r["Name"]: r for r in csv.DictReader(fh)}


def test_per_endpoint_counts_and_failures(stats: LoadStats) -> None:
    assert stats.complete
    raw = json.loads((FIXTURE / "locust.json").read_text())
    assert {(e.method, e.name): (e.requests, e.failures) for e in stats.endpoints} == {
        (r["method"], r["name"]): (r["num_requests"], r["num_failures"]) for r in raw
    }
    student = stats.endpoint("/api/students/{id}", "GET")
    assert (student.requests, student.failures) == (27, 5)
    assert student.failure_ratio == pytest.approx(5 / 27)
    assert stats.total.requests == 112 and stats.total.failures == 5
    assert stats.total.name == AGGREGATED


def test_percentiles_match_locusts_own(stats: LoadStats) -> None:
    """Here the CSV saw every request, so Locust's own percentiles must equal ours."""
    rows = _csv_rows()
    for ep in (*stats.endpoints, stats.total):
        row = rows[ep.name]
        assert int(row["Request Count"]) == ep.requests
        assert (ep.p50_ms, ep.p95_ms, ep.p99_ms) == (
            float(row["50%"]), float(row["95%"]), float(row["99%"])
        ), ep.name
        assert ep.avg_ms == pytest.approx(float(row["Average Response Time"]))


def test_percentile_definition(stats: LoadStats) -> None:
    """Locust's percentile is the value at index int(n * q) of the sorted rounded times."""
    for ep in stats.endpoints:
        times = sorted(t for t, n in ep.response_times.items() for _ in range(n))
        for q in (0.5, 0.9, 0.95, 0.99):
            assert ep.percentile(q) == times[min(int(len(times) * q), len(times) - 1)]


def test_time_series(stats: LoadStats) -> None:
    seconds = stats.per_second()
    assert sum(n for _, n, _ in seconds) == stats.total.requests
    assert sum(f for _, _, f in seconds) == stats.total.failures
    assert [t for t, _, _ in seconds] == list(range(seconds[0][0], seconds[-1][0] + 1))
    # The 1 s history: cumulative totals never go down; users reach 3.
    assert len(stats.history) >= 5
    totals = [h.total_requests for h in stats.history]
    assert totals == sorted(totals)
    assert max(h.user_count for h in stats.history) == 3


def test_failures_happen_only_in_the_fault_phase(stats: LoadStats) -> None:
    assert [m.name for m in stats.phases] == ["steady", "fault", "end"]
    fault = stats.phases[1]
    assert fault.faults == {"errors": {"ratio": 0.5, "routes": ["/api/students/{id}"]}}
    assert fault.faults_applied_at is not None
    failing = stats.endpoint("/api/students/{id}").failures_per_second
    assert failing and min(failing) >= int(fault.faults_applied_at)
    kinds = stats.failure_kinds
    assert [(k.name, k.error) for k in kinds] == [
        ("/api/students/{id}", "CatchResponseError('status 500')")
    ]
    assert stats.exceptions == ()


def test_csv_fallback_when_locust_was_killed(tmp_path: Path) -> None:
    for f in FIXTURE.iterdir():
        if f.suffix != ".json":
            shutil.copy(f, tmp_path / f.name)
    partial = LoadStats.from_dir(tmp_path)
    assert not partial.complete
    assert partial.total.requests == 112 and partial.total.p95_ms == 9.0
    assert partial.endpoint("/api/students/{id}").failures == 5
    assert partial.endpoint("/api/grades").per_second == {}  # the CSV has no per-second counts


def test_no_stats_at_all(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="left no statistics"):
        LoadStats.from_dir(tmp_path)


def test_unknown_endpoint_lists_the_known_ones(stats: LoadStats) -> None:
    with pytest.raises(LoadError, match=r"no endpoint '/api/nope'.*GET /api/schools"):
        stats.endpoint("/api/nope")


def test_to_dict_is_json_ready(stats: LoadStats) -> None:
    assert json.loads(json.dumps(stats.to_dict()))["total"]["requests"] == 112
