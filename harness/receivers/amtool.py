"""amtool: ``check-config`` for rendered configurations, ``config routes test`` for cross-checks."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from harness.errors import ConfigError, MissingBinaryError

_TIMEOUT_S = 60


def amtool_binary() -> str:
    path = shutil.which("amtool")
    if path is None:
        raise MissingBinaryError("amtool", package="prometheus-alertmanager")
    return path


def run_amtool(*args: str) -> subprocess.CompletedProcess[str]:
    command = (amtool_binary(), *args)
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"amtool did not finish within {_TIMEOUT_S} s") from None


def check_config_text(yaml_text: str, *, source: Path | str | None = None) -> str:
    """``amtool check-config`` on a configuration given as text; ConfigError if it fails."""
    with tempfile.TemporaryDirectory(prefix="harness-amtool-") as tmp:
        path = Path(tmp) / "alertmanager.yml"
        path.write_text(yaml_text, encoding="utf-8")
        done = run_amtool("check-config", str(path))
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        # "Checking '<tmp file>'  FAILED: <reason>" then "amtool: error: failed to validate"
        lines = [ln.split("FAILED:", 1)[1].strip() if "FAILED:" in ln else ln.strip()
                 for ln in output.splitlines()
                 if ln.strip() and "failed to validate" not in ln]
        raise ConfigError(
            "Alertmanager rejects the rendered configuration (amtool check-config):\n  "
            + "\n  ".join(lines),
            path=source,
        )
    return output


def routes_test(config_path: Path | str, labels: Mapping[str, str]) -> list[str]:
    """Receivers ``amtool config routes test`` names for a label set, in its order."""
    args = [f"{k}={v}" for k, v in labels.items()]
    done = run_amtool("config", "routes", "test", f"--config.file={config_path}", *args)
    if done.returncode not in (0, 1):  # 1: "--verify.receivers" mismatch only
        raise ConfigError(f"amtool config routes test failed: {done.stderr.strip()}")
    return [r for r in done.stdout.strip().split(",") if r]
