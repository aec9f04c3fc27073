"""What the containers backend runs: command lines, files and addresses (no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.errors import StackError
from harness.stack.containers.images import LOCAL, Images
from harness.stack.containers.plan import (
    INNER_PORTS,
    Network,
    container_name,
    network_mode,
    plan_stack,
)
from harness.stack.postgres import PostgresAccess
from harness.stack.rundir import RunDir
from harness.stack.spec import RECEIVER_URL_TOKEN, StackSpec

IMAGES = Images(**LOCAL)
PORTS = {"redis": 7001, "worker": 7002, "api": 7003, "alertmanager": 7004, "prometheus": 7005}
RULES = "groups: [{name: g, rules: [{alert: A, expr: vector(1)}]}]\n"
AM_YAML = f"""\
route: {{receiver: r}}
receivers:
  - name: r
    webhook_configs: [{{url: "{RECEIVER_URL_TOKEN}/webhook/r"}}]
"""


def _plan(tmp_path: Path, mode: str) -> tuple[dict, object, RunDir]:
    run = RunDir.create(tmp_path, "t")
    spec = StackSpec(rule_files=(("r.yml", RULES),), alertmanager_yaml=AM_YAML, fault_token="tok")
    net = Network(mode, PORTS, run.path.name, "harness-net" if mode == "bridge" else None)
    plans, dbinit = plan_stack(spec, run, IMAGES, net, "http://127.0.0.1:7999")
    return plans, dbinit, run


def test_host_network_flags_and_files(tmp_path: Path) -> None:
    plans, dbinit, run = _plan(tmp_path, "host")
    assert plans["redis"].command[:5] == ["redis-server", "--port", "7001", "--bind", "127.0.0.1"]
    assert plans["api"].command == ["harness.target.api", "--host", "127.0.0.1", "--port", "7003"]
    assert plans["api"].image == plans["worker"].image == dbinit.image == IMAGES.api
    am = plans["alertmanager"].command
    assert "--web.listen-address=127.0.0.1:7004" in am and "--cluster.listen-address=" in am
    prom = plans["prometheus"].command
    assert "--web.listen-address=127.0.0.1:7005" in prom and "--web.enable-lifecycle" in prom
    assert any(flag.startswith("--rules.alert.resend-delay=") for flag in prom)

    config = yaml.safe_load((run.path / "prometheus" / "prometheus.yml").read_text())
    targets = {j["job_name"]: j["static_configs"][0]["targets"] for j in config["scrape_configs"]}
    assert targets == {"api": ["127.0.0.1:7003"], "worker": ["127.0.0.1:7002"]}
    alerting = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert alerting == ["127.0.0.1:7004"]
    assert config["rule_files"] == [str(run.path / "prometheus" / "rules" / "r.yml")]
    am_text = (run.path / "alertmanager" / "alertmanager.yml").read_text()
    assert "http://127.0.0.1:7999/webhook/r" in am_text and RECEIVER_URL_TOKEN not in am_text

    # Configs read-only at their own path; the target's directory read-write; data in tmpfs.
    prom_dir = str(run.path / "prometheus")
    assert plans["prometheus"].volumes == [(prom_dir, prom_dir, "ro")]
    assert plans["prometheus"].tmpfs == ["/harness-data"]
    target_dir = str(run.path / "target")
    assert dbinit.volumes == plans["api"].volumes == [(target_dir, target_dir, "rw")]
    assert dbinit.env["TARGET_DATABASE_URL"] == f"sqlite:///{target_dir}/target.db"
    assert dbinit.env["TARGET_REDIS_URL"] == "redis://127.0.0.1:7001/0"
    assert dbinit.env["TARGET_WORKER_CONTROL_URL"] == "http://127.0.0.1:7002"
    assert dbinit.env["TARGET_FAULT_TOKEN"] == "tok" and dbinit.ready is None
    assert plans["api"].ready is not None
    assert plans["api"].ready.describe() == "http://127.0.0.1:7003/metrics"


def test_bridge_network_names_and_published_ports(tmp_path: Path) -> None:
    plans, dbinit, run = _plan(tmp_path, "bridge")
    rid = run.path.name
    assert plans["api"].command[-4:] == ["--host", "0.0.0.0", "--port", "8000"]
    assert plans["redis"].command[-2:] == ["--protected-mode", "no"]
    assert dbinit.env["TARGET_REDIS_URL"] == f"redis://{container_name(rid, 'redis')}:6379/0"
    config = yaml.safe_load((run.path / "prometheus" / "prometheus.yml").read_text())
    targets = [j["static_configs"][0]["targets"][0] for j in config["scrape_configs"]]
    assert targets == [
        f"{container_name(rid, 'api')}:8000",
        f"{container_name(rid, 'worker')}:8001",
    ]
    am_text = (run.path / "alertmanager" / "alertmanager.yml").read_text()
    assert "http://host.docker.internal:7999/webhook/r" in am_text
    # The harness still reaches every service on 127.0.0.1 (published ports).
    assert plans["api"].ready is not None
    assert plans["api"].ready.describe() == "http://127.0.0.1:7003/metrics"


def test_network_arguments() -> None:
    host = Network("host", PORTS, "r")
    assert host.create_kwargs("api") == {"network_mode": "host"} and host.published("api") == {}
    bridge = Network("bridge", PORTS, "r", "net")
    assert bridge.published("prometheus") == {"9090/tcp": ("127.0.0.1", 7005)}
    assert bridge.create_kwargs("alertmanager")["extra_hosts"] == {
        "host.docker.internal": "host-gateway"
    }
    assert set(INNER_PORTS) == {*PORTS, "postgres"}  # postgres: with --database postgres


def test_postgres_container_plan(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "t")
    spec = StackSpec(rule_files=(("r.yml", RULES),), alertmanager_yaml=AM_YAML, database="postgres")
    net = Network("bridge", {**PORTS, "postgres": 7006}, run.path.name, "harness-net")
    access = PostgresAccess(7006, "pw")
    images = Images(**LOCAL)
    plans, dbinit = plan_stack(spec, run, images, net, "http://127.0.0.1:7999", access)
    pg = plans["postgres"]
    assert pg.image == LOCAL["postgres"] and not pg.as_host_user and pg.tmpfs
    assert pg.env["POSTGRES_PASSWORD"] == "pw" and pg.env["POSTGRES_DB"] == "target"
    assert "listen_addresses=0.0.0.0" in pg.command
    name = container_name(run.path.name, "postgres")
    assert dbinit.env["TARGET_DATABASE_URL"] == f"postgresql+psycopg://harness:pw@{name}:5432/target"
    assert net.published("postgres") == {"5432/tcp": ("127.0.0.1", 7006)}


def test_container_names_are_valid() -> None:
    assert container_name("high error/rate ü1", "api") == "harness-high-error-rate-1-api"
    assert container_name("///", "api") == "harness-run-api"


def test_network_mode_from_environment() -> None:
    assert network_mode({}) == "host"
    assert network_mode({"HARNESS_CONTAINER_NETWORK": "Bridge"}) == "bridge"
    with pytest.raises(StackError, match="HARNESS_CONTAINER_NETWORK='overlay' is not one of"):
        network_mode({"HARNESS_CONTAINER_NETWORK": "overlay"})
