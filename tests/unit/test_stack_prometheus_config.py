"""The rendered prometheus.yml is what promtool accepts, with the stack's intervals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from harness.errors import ConfigError
from harness.stack.prometheus_config import ScrapeJob, check_config, render_prometheus_config
from harness.stack.spec import Intervals

RULES = """\
groups:
  - name: demo
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{status=~"5.."}[5s])) > 0
        for: 83ms
"""

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed")


def _render(tmp_path: Path, intervals: Intervals, rules: list[Path]) -> Path:
    text = render_prometheus_config(
        intervals,
        jobs=[ScrapeJob("api", "127.0.0.1:8001"), ScrapeJob("worker", "127.0.0.1:8002")],
        alertmanager="127.0.0.1:9093",
        rule_files=rules,
    )
    path = tmp_path / "prometheus.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("intervals", "scrape", "evaluation"),
    [
        (Intervals(), "1s", "1s"),
        (Intervals(scrape=0.5, evaluation=0.25), "500ms", "250ms"),
        (Intervals(scrape=1.5, evaluation=90), "1s500ms", "1m30s"),
    ],
)
def test_rendered_config_passes_promtool(
    tmp_path: Path, intervals: Intervals, scrape: str, evaluation: str
) -> None:
    rules_dir = tmp_path / "rules dir"  # a space in the path, quoted in YAML
    rules_dir.mkdir()
    rule_file = rules_dir / "alerts.yml"
    rule_file.write_text(RULES)
    path = _render(tmp_path, intervals, [rule_file])

    output = check_config(path)
    assert "SUCCESS" in output and "1 rules found" in output

    config = yaml.safe_load(path.read_text())
    assert config["global"] == {
        "scrape_interval": scrape,
        "scrape_timeout": scrape,
        "evaluation_interval": evaluation,
    }
    assert config["rule_files"] == [str(rule_file)]
    jobs = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]
    }
    assert jobs == {"api": ["127.0.0.1:8001"], "worker": ["127.0.0.1:8002"]}
    alerting = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert alerting == ["127.0.0.1:9093"]


def test_config_without_rules_passes_promtool(tmp_path: Path) -> None:
    path = _render(tmp_path, Intervals(), [])
    assert "rule_files" not in yaml.safe_load(path.read_text())
    check_config(path)


def test_promtool_failure_becomes_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(RULES.replace("> 0", "> > 0"))
    path = _render(tmp_path, Intervals(), [bad])
    with pytest.raises(ConfigError, match="promtool rejects the configuration"):
        check_config(path)
