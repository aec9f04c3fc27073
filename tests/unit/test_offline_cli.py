"""`harness backtest`: bad input is one message and exit 2, before or without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.main import main
from harness.stack.ports import free_port

RULES = """groups:
  - name: g
    rules:
      - alert: HighQueueDepth
        expr: avg_over_time(depth[5m]) > 50
        for: 10m
      - alert: Down
        expr: up == 0 or absent(up)
"""


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES, encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(SystemExit) as info:
        main(["backtest", "--prometheus-url", url, "--rules", str(rules), *args])
    _, err = capsys.readouterr()
    return int(info.value.code or 0), err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--alert", "HighQueue"),
            "No alert 'HighQueue' in this file; it has: HighQueueDepth, Down",
        ),
        (("--threshold", "five"), "--threshold 'five' is not a number or a range"),
        (("--alert", "Down", "--threshold", "1"), "the expression of Down is not a comparison"),
        (("--alert", "Down", "--expr", "up =="), "--expr 'up ==' does not parse"),
        (("--for", "soon"), "--for 'soon'"),
        (("--since", "7 days"), "Invalid value for --since"),
        (("--until", "yesterday"), "neither RFC 3339"),
        (("--header", "no-colon"), "is not 'Name: value'"),
        (
            ("--alert", "HighQueueDepth", "--retries", "0"),
            "Cannot reach a Prometheus API at http://127.0.0.1:",
        ),
    ],
)
def test_bad_input_is_one_message_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, err = run(capsys, tmp_path, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
