"""`harness rules scale` and `harness rules check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from harness.cli.main import main
from harness.paths import SPEC_DIR

SPEC_RULES = SPEC_DIR / "prometheus-alerts.yml"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_scale_prints_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "rules", "scale", "--factor", "60", str(SPEC_RULES))
    assert code == 0
    assert yaml.safe_load(out)["groups"][0]["rules"][0]["for"] == "5s"
    assert "warning: alert 'DLQGrowing'" in err


def test_scale_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "scaled.yml"
    code, out, _ = _run(capsys, "rules", "scale", "-k", "10", "--scrape-interval", "500ms",
                        "-o", str(out_file), str(SPEC_RULES))
    assert code == 0 and out == ""
    assert "interval: 3s" in out_file.read_text()


def test_scale_refusal_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "rules", "scale", "--factor", "120", str(SPEC_RULES))
    assert code == 2 and out == ""
    assert "line 9 (alert 'HighErrorRate')" in err and "largest valid time scale" in err
    assert "Traceback" not in err


def test_bad_scrape_interval(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "rules", "scale", "-k", "2", "--scrape-interval", "soon",
                        str(SPEC_RULES))
    assert code == 2 and "Invalid duration" in err


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "rules", "check", str(SPEC_RULES))
    assert code == 0
    assert "8 alerts" in out and "line 9: HighErrorRate" in out and "SUCCESS" in out


AGE_RULES = """\
groups:
- name: g
  rules:
  - alert: NodeRebooted
    expr: node_time_seconds - node_boot_time_seconds < 600
  - alert: DiskFillsUp
    expr: predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0
"""


@pytest.mark.parametrize("flag", [False, True])
def test_scale_numbers_flag_rewrites_and_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: bool
) -> None:
    rules = tmp_path / "age.yml"
    rules.write_text(AGE_RULES, encoding="utf-8")
    args = ["rules", "scale", "-k", "60", *(["--scale-numbers"] if flag else []), str(rules)]
    code, out, err = _run(capsys, *args)
    assert code == 0
    exprs = [r["expr"] for r in yaml.safe_load(out)["groups"][0]["rules"]]
    if flag:
        assert "< 10" in exprs[0] and "240" in exprs[1] and "[6m]" in exprs[1]
        assert err.count("divided by 60 (--scale-numbers)") == 2
    else:
        assert "< 600" in exprs[0] and "4 * 3600" in exprs[1]
        assert "--scale-numbers" not in err and err.count("is not scaled") == 2
