"""`harness backtest` on seven days of backfilled request history, against promtool.

The series are the ones the corrected SLO rules (compose/corrected/slo-burn-rate.yml)
read: ``http_requests_total{job="api", status_code=...}``, one sample a minute, 10000
requests a minute with 2 errors (0.02%: healthy) for 3 days, then 40 (0.4%: a slow burn,
4x the 0.1% budget) for 2 days, 1 healthy day, an hour at 500 (5%: a fast burn) and the
rest healthy. All values are integers, so both sides read bit-identical samples.

Both sides evaluate the same series every 5 minutes (EVAL; a 1m evaluation would
make promtool's 3d windows take a minute): the backtest range-queries a throwaway
Prometheus serving blocks from ``promtool tsdb create-blocks-from openmetrics``
(``--evaluation-interval 5m``); promtool gets them as ``input_series``, with the rules
less their annotations (promtool would compare the rendered text, which has no bearing
on when an alert fires). promtool's instants 0, EVAL, 2 EVAL... are the backfill's
BASE, BASE+EVAL... (BASE a multiple of EVAL, as the backtest's evaluation grid), so the
comparison is exact at every instant (see test_offline_promtool.py for why it is exact,
not within an interval).

The alerts read recording rules (slo:availability_errors:ratio_rate*), which a real
server has recorded but a backfilled one has not: the backtest gets the alerts with each
recording rule's expression inlined (same PromQL, same instant: a rule group evaluates
its recording rules before its alerts at each instant), promtool the file as it is. The
alert labels agree: the inlined side has {job}, the recorded side {job, slo, service},
and the rule's own labels set slo and service on both.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from harness.cli.main import main
from harness.offline.backfill import Series, backfill
from harness.offline.prometheus import Throwaway, throwaway_prometheus
from harness.paths import CORRECTED_DIR
from harness.rules.promtool import test_rules as promtool_test_rules

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

E = 60  # sample interval
EVAL = 300  # evaluation interval of both sides: 5m keeps promtool's 3d windows quick
BASE = 1_700_006_400  # 2023-11-15T00:00:00Z, a multiple of E
RULES = CORRECTED_DIR / "slo-burn-rate.yml"
ALERTS = ("AvailabilityFastBurn", "AvailabilityMediumBurn", "AvailabilitySlowBurn")
TOTAL = 10_000  # requests a minute
# (errors a minute, minutes): healthy 3d, slow burn 2d, healthy 1d, fast burn 1h, healthy.
RUNS = [(2, 4320), (40, 2880), (2, 1440), (500, 60), (2, 1381)]
STEPS = sum(n for _, n in RUNS) - 1  # 7 days: 10080 steps, 10081 instants
SLOW = (BASE + 4320 * E, BASE + 7200 * E)  # the slow burn, unix seconds
FAST = (BASE + 8640 * E, BASE + 8700 * E)


def counters() -> dict[str, list[int]]:
    """Cumulative requests per status code at each minute (one increment per minute)."""
    errors, ok = [0], [0]
    for per_minute, n in RUNS:
        for _ in range(n):
            errors.append(errors[-1] + per_minute)
            ok.append(ok[-1] + TOTAL - per_minute)
    return {"500": errors[: STEPS + 1], "200": ok[: STEPS + 1]}


def inlined_alerts() -> str:
    """The file's alerts with each recording rule's expression in place of its series."""
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    rules = [r for g in groups for r in g["rules"]]
    records = {r["record"]: r["expr"] for r in rules if "record" in r}
    alerts = [dict(r) for r in rules if r.get("alert") in ALERTS]
    assert len(records) == 5 and [a["alert"] for a in alerts] == list(ALERTS)

    def inline(match: re.Match[str]) -> str:
        return f"({records[match.group(1)].strip()})"

    for alert in alerts:
        alert["expr"] = re.sub(r"(slo:[a-z_]+:ratio_rate\w+)\{[^}]*\}", inline, alert["expr"])
        assert "slo:" not in alert["expr"]
    return yaml.safe_dump({"groups": [{"name": "inlined", "rules": alerts}]}, sort_keys=False)


@dataclass(frozen=True)
class History:
    prometheus: Throwaway
    work: Path


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    work = tmp_path_factory.mktemp("backtest")
    series = [
        Series(
            "http_requests_total",
            [(BASE + i * E, float(v)) for i, v in enumerate(values)],
            {"job": "api", "status_code": code},
        )
        for code, values in counters().items()
    ]
    assert backfill(series, work / "data") == 2 * (STEPS + 1)
    with throwaway_prometheus(work / "data", evaluation_interval_s=E) as prometheus:
        yield History(prometheus, work)


def backtest(history: History, *args: str, capsys: pytest.CaptureFixture[str]) -> dict:
    rules = history.work / "inlined.yml"
    rules.write_text(inlined_alerts(), encoding="utf-8")
    argv = ["backtest", "--prometheus-url", history.prometheus.url, "--rules", str(rules)]
    argv += ["--until", str(BASE + STEPS * E), "--since", "7d", "--evaluation-interval", "5m"]
    argv += args
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    return json.loads(out) if "--format" in args else {"out": out}


def unix(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def promtool_file(history: History, candidates: list[dict]) -> Path:
    """A promtool test expecting, at every instant, the alerts the backtest says fire."""
    checks = []
    for step in range(STEPS * E // EVAL + 1):
        at = BASE + step * EVAL
        for c in candidates:
            firing = [
                {k: v for k, v in e["labels"].items() if k != "alertname"}
                for e in c["fired"]
                if unix(e["fired_at"]) <= at  # type: ignore[operator]
                and (e["resolved_at"] is None or at < unix(e["resolved_at"]))  # type: ignore[operator]
            ]
            checks.append({"eval_time": f"{step * EVAL}s", "alertname": c["alert"],
                           "exp_alerts": [{"exp_labels": labels} for labels in firing]})
    data = counters()
    rules = history.work / "slo-burn-rate.yml"  # as written, less the annotations
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    for group in document["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    rules.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    test = {
        "rule_files": [str(rules)],
        "evaluation_interval": f"{EVAL}s",
        "tests": [{
            "interval": f"{E}s",
            "input_series": [
                {"series": f'http_requests_total{{job="api", status_code="{code}"}}',
                 "values": " ".join(str(v) for v in values)}
                for code, values in data.items()
            ],
            "alert_rule_test": checks,
        }],
    }
    path = history.work / "promtool-test.yml"
    path.write_text(yaml.safe_dump(test, sort_keys=False), encoding="utf-8")
    return path


def test_backtest_episodes_equal_promtool_at_every_instant(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    found = backtest(history, "--format", "json", "--max-points", "1000", capsys=capsys)
    by_alert = {c["alert"]: c for c in found["candidates"]}
    assert list(by_alert) == list(ALERTS)
    # 2017 instants at 5m in chunks of 1000 points: 3 queries per alert.
    assert found["queries"] == 9
    fast, medium, slow = (by_alert[a] for a in ALERTS)
    # The fast burn pages (1h and 5m above 1.44%) and, an hour at 5% being 0.83% over 6h,
    # so does the 6h/30m alert; neither fires in the slow burn (0.4% < 0.6%).
    for alert in (fast, medium):
        assert alert["episodes"] == 1
        fired = unix(alert["fired"][0]["fired_at"])
        assert FAST[0] < fired < FAST[1]  # type: ignore[operator]
    started = time.monotonic()
    result = promtool_test_rules(promtool_file(history, found["candidates"]))
    assert result.ok, result.output[-3000:]
    print(f"promtool over 7 days: {time.monotonic() - started:.1f} s; "
          + ", ".join(f"{c['alert']}: {c['episodes']}" for c in found["candidates"]))
    assert slow["episodes"] >= 1


def test_slow_burn_alert_fires_in_the_slow_burn_only(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    found = backtest(history, "--format", "json", "--alert", "AvailabilitySlowBurn",
                     capsys=capsys)
    (slow,) = found["candidates"]
    spans = [(unix(e["fired_at"]), unix(e["resolved_at"])) for e in slow["fired"]]
    assert spans, "the 3d/6h alert never fired"
    first_fired, _ = spans[0]
    # 3d above 0.1% once 0.4% has run for 15.2 h after 3 days at 0.02%
    # (0.004 t + 0.0002 (72 - t) > 0.072); the 6h window ends it hours after the burn.
    assert SLOW[0] + 15 * 3600 < first_fired < SLOW[0] + 16 * 3600  # type: ignore[operator]
    assert all(f is not None and f >= SLOW[0] for f, _ in spans)  # never in the healthy 3 days
    assert spans[0][1] is not None and spans[0][1] < SLOW[1] + 6 * 3600
    # The fast burn's hour lifts the 6h window above 0.1% while the 3d one still holds the
    # slow burn: a second, short episode there, and nothing else.
    assert len(spans) <= 2
    assert all(FAST[0] <= f <= FAST[1] + 6 * 3600 for f, _ in spans[1:])  # type: ignore[operator]


def test_candidates_table_and_html_page(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    page = history.work / "backtest.html"
    found = backtest(history, "--alert", "AvailabilitySlowBurn", "--for", "0,2h,1d",
                     "--html", str(page), capsys=capsys)
    out = found["out"]
    assert "harness backtest: 3 candidates" in out
    assert "pages/week" in out
    html = page.read_text(encoding="utf-8")
    assert html.count("<tr>") == 4  # the header and one row per candidate
    assert "pages per week" in html
