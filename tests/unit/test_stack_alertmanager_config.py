"""The stack's default Alertmanager config: one webhook at the capture receiver, amtool-valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from harness.stack.alertmanager_config import default_alertmanager_config


def test_default_config_shape() -> None:
    config = yaml.safe_load(default_alertmanager_config("http://127.0.0.1:4321/", time_scale=60))
    assert config["route"]["receiver"] == "default"
    assert config["route"]["group_wait"] == config["route"]["group_interval"] == "1s"
    assert config["route"]["repeat_interval"] == "4m"  # 4 h / 60
    webhook = config["receivers"][0]["webhook_configs"][0]
    assert webhook == {"url": "http://127.0.0.1:4321/webhook/default", "send_resolved": True}


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
@pytest.mark.parametrize("time_scale", [1.0, 60.0, 100000.0])
def test_default_config_passes_amtool(tmp_path: Path, time_scale: float) -> None:
    path = tmp_path / "alertmanager.yml"
    path.write_text(default_alertmanager_config("http://127.0.0.1:4321", time_scale=time_scale))
    result = subprocess.run(
        ["amtool", "check-config", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rendered_config_with_real_keys_is_private(tmp_path: Path) -> None:
    from harness.stack.alertmanager_config import write_alertmanager_config
    from harness.stack.spec import StackSpec

    spec = StackSpec(alertmanager_yaml="receivers:\n- name: pd\n  routing_key: real-key\n")
    path = write_alertmanager_config(spec, tmp_path, "http://127.0.0.1:1")
    assert path.stat().st_mode & 0o777 == 0o600
