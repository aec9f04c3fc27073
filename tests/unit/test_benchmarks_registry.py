"""The benchmarks runner: modules found by reading source, results written, failures kept."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks.registry import discover, fmt, run_one, write

FAKE = """
from benchmarks import Skipped
NAME = "{name}"
def run(out_dir):
    {body}
"""


@pytest.fixture
def fake_benchmarks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pkg = tmp_path / "fakebench"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "good.py").write_text(
        FAKE.format(
            name="good", body='return {"figures": {"ratio": 0.5, "rps": 1234.5}, "raw": [1]}'
        )
    )
    (pkg / "skipper.py").write_text(FAKE.format(name="skipper", body='raise Skipped("no wrk")'))
    (pkg / "broken.py").write_text(FAKE.format(name="broken", body="raise ValueError('boom')"))
    (pkg / "locustfile.py").write_text("import gevent_never_imported\n")  # no NAME/run
    monkeypatch.syspath_prepend(str(tmp_path))
    return pkg


def test_discovery_reads_source_and_skips_non_benchmarks(fake_benchmarks: Path) -> None:
    found = discover(fake_benchmarks)
    assert found == {
        "broken": "fakebench.broken",
        "good": "fakebench.good",
        "skipper": "fakebench.skipper",
    }
    assert "fakebench.locustfile" not in sys.modules


def test_project_benchmarks_are_found() -> None:
    assert discover()["load_vs_wrk"] == "benchmarks.load_vs_wrk"
    assert "benchmarks.locust_trivial" not in discover().values()


def test_outcomes_written_as_json_and_markdown(fake_benchmarks: Path, tmp_path: Path) -> None:
    found = discover(fake_benchmarks)
    outcomes = [run_one(n, m, tmp_path / "out") for n, m in found.items()]
    assert [o.status for o in outcomes] == ["failed", "ok", "skipped"]
    md = write(outcomes, tmp_path / "out").read_text()
    assert "| good | ratio | 0.5 |" in md and "| good | rps | 1,234 |" in md
    assert "| skipper | skipped | no wrk |" in md and "ValueError: boom" in md
    good = json.loads((tmp_path / "out" / "good.json").read_text())
    assert good["raw"] == [1] and good["name"] == "good"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert len(summary["benchmarks"]) == 3


def test_main_lists_and_rejects_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    assert "load_vs_wrk" in capsys.readouterr().out
    assert main(["nope"]) == 2


def test_fmt() -> None:
    assert (fmt(1040.2), fmt(0.7881), fmt(12), fmt(None)) == ("1,040", "0.788", "12", "None")
