"""`harness slo generate SLO_FILE [-o OUT]`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.paths import CORRECTED_DIR

SLO_FILE = CORRECTED_DIR / "slo.yml"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_generate_prints_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "slo", "generate", str(SLO_FILE))
    assert code == 0 and "alert: AvailabilityFastBurn" in out


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")
def test_generate_to_a_file_checks_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "burn.yml"
    code, out, err = _run(capsys, "slo", "generate", str(SLO_FILE), "-o", str(out_file))
    assert code == 0 and out == "" and "promtool check rules: ok" in err
    assert "record: slo:availability_errors:ratio_rate3d" in out_file.read_text()


def test_bad_slo_file_exits_2_with_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "slo.yml"
    bad.write_text("service: x\nlatency: {quantile: 2, threshold: 1s}\n")
    code, _, err = _run(capsys, "slo", "generate", str(bad))
    assert code == 2 and "line 2 (latency.quantile)" in err
