"""`harness backtest` against a tiny local HTTP server that refuses: 401, 403, a query
refused as bad data, a query that outlasts --timeout. One message, exit 2, no traceback,
nothing left running; and the candidate summary (episodes, firing, pages per week)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest

from harness.cli.main import main
from harness.offline.evaluate import Evaluation
from harness.offline.statemachine import Episode
from harness.report.tune_html import write_backtest_html
from harness.rules.model import AlertRule
from harness.tune.backtest import BacktestResult, Row, to_json
from harness.tune.candidates import Candidate

RULES = """groups:
  - name: g
    rules:
      - alert: HighQueueDepth
        expr: avg_over_time(depth[5m]) > 50
        for: 10m
"""

ANSWERS: dict[str, tuple[int, dict[str, str]]] = {
    "/401": (401, {"status": "error", "errorType": "unauthorized", "error": "no token"}),
    "/403": (403, {"status": "error", "errorType": "forbidden", "error": "tenant denied"}),
    "/bad": (400, {"status": "error", "errorType": "bad_data",
                   "error": 'parse error: unknown function with name "nosuch"'}),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        prefix = "/" + self.path.split("/")[1]
        if prefix == "/slow":
            time.sleep(2)  # longer than the test's --timeout
            prefix = "/bad"
        status, body = ANSWERS[prefix]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("path", "args", "message"),
    [
        ("/401", (), "401"),
        ("/403", (), "403"),
        ("/bad", (), "nosuch"),
        ("/slow", ("--timeout", "300ms"), "ReadTimeout"),
    ],
)
def test_refusals_are_one_message_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    server: str,
    path: str,
    args: tuple[str, ...],
    message: str,
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES, encoding="utf-8")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    argv = ["backtest", "--prometheus-url", server + path, "--rules", str(rules)]
    argv += ["--retries", "0", "--since", "1h", "--until", "1700000000", *args]
    with pytest.raises(SystemExit) as info:
        main(argv)
    _, err = capsys.readouterr()
    assert info.value.code == 2, err
    assert message in err.lower() or message in err
    assert "Traceback" not in err
    assert err.count("\n") <= 3, err
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before


def two_weeks() -> tuple[BacktestResult, Row]:
    rule = AlertRule(name="A", expr="x > 1", group="g", source=Path("r.yml"), line=1)
    start, end = 0.0, 14 * 86_400.0  # two weeks
    episodes = (
        Episode((("alertname", "A"),), 100.0, 100.0, 700.0),  # 10 min
        Episode((("alertname", "A"),), 5000.0, None, 5060.0),  # pending only
        Episode((("alertname", "A"),), end - 1800, end - 1800, None),  # 30 min, still firing
    )
    evaluation = Evaluation(rule, "x", None, 60.0, start, end, episodes)
    row = Row("A", Candidate(1.0, 0.0, 0.0, as_written=True), evaluation, end)
    return BacktestResult("http://x", start, end, (row,), 1, 0.1), row


def test_summary_counts_episodes_firing_and_pages_per_week() -> None:
    result, row = two_weeks()
    assert (row.episodes, row.total_s, row.longest_s) == (2, 2400.0, 1800.0)
    assert result.pages_per_week(row) == 1.0
    (found,) = json.loads(to_json(result))["candidates"]
    assert found["fired"][1]["resolved_at"] is None
    assert (found["episodes"], found["pages_per_week"]) == (2, 1.0)


def test_page_has_the_chart_and_one_timeline_band_per_firing(tmp_path: Path) -> None:
    result, _ = two_weeks()
    page = write_backtest_html(result, tmp_path / "b.html").read_text(encoding="utf-8")
    assert "pages per week (fired episodes per 7 days)" in page
    assert page.count("<title>as written: A") == 1  # the ring around the rule as written
    assert page.count("<title>firing ") == 2  # the 10-minute and the 30-minute episode
