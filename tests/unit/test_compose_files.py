"""compose/docker-compose.yml and the container images' files hold together (no engine:
`docker compose config` is not on every machine). Every bind mount, build context and
provisioning path exists; the configs it mounts pass amtool and promtool; the API
image's requirements cover what the target imports."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.paths import COMPOSE_DIR, PACKAGE_DIR, PROJECT_DIR
from harness.stack.binaries import find_binary

COMPOSE = COMPOSE_DIR / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _sources(compose: dict) -> list[tuple[str, str]]:
    return [
        (name, volume.split(":")[0])
        for name, service in compose["services"].items()
        for volume in service.get("volumes", [])
    ]


def test_bind_mounts_and_named_volumes_exist(compose: dict) -> None:
    named = set(compose["volumes"])
    for service, source in _sources(compose):
        if source.startswith((".", "/")):
            assert (COMPOSE_DIR / source).exists(), f"{service}: {source} does not exist"
        else:
            assert source in named, f"{service}: volume {source!r} is not declared"
    assert {"grafana/provisioning", "grafana/dashboards"} <= {
        source.removeprefix("./") for _, source in _sources(compose)
    }


def test_every_service_stays_on_the_host_network(compose: dict) -> None:
    for name, service in compose["services"].items():
        assert service.get("network_mode") == "host", name
        assert "ports" not in service, name


def test_api_build_and_dependency_order(compose: dict) -> None:
    for name in ("dbinit", "worker", "api"):
        build = compose["services"][name]["build"]
        assert (COMPOSE_DIR / build["context"] / build["dockerfile"]).is_file()
    for name in ("worker", "api"):
        depends = compose["services"][name]["depends_on"]
        assert depends["dbinit"] == {"condition": "service_completed_successfully"}


def test_mounted_configs_pass_amtool_and_promtool(tmp_path: Path) -> None:
    amtool = find_binary("amtool")
    am = subprocess.run(
        [amtool, "check-config", str(COMPOSE_DIR / "alertmanager" / "alertmanager.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert am.returncode == 0, am.stdout + am.stderr
    # Inside the container the rules are /etc/prometheus/rules = compose/corrected.
    text = (COMPOSE_DIR / "prometheus" / "prometheus.compose.yml").read_text()
    config = tmp_path / "prometheus.yml"
    config.write_text(text.replace("/etc/prometheus/rules/", f"{COMPOSE_DIR / 'corrected'}/"))
    prom = subprocess.run(
        [find_binary("promtool"), "check", "config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert prom.returncode == 0, prom.stdout + prom.stderr


def test_loki_and_promtail_configs_parse() -> None:
    promtail = yaml.safe_load((COMPOSE_DIR / "loki" / "promtail.yml").read_text())
    paths = [
        target["labels"]["__path__"]
        for job in promtail["scrape_configs"]
        for target in job["static_configs"]
    ]
    assert paths == ["/var/log/harness/api.log", "/var/log/harness/worker.log"]
    loki = yaml.safe_load((COMPOSE_DIR / "loki" / "loki.yml").read_text())
    assert loki["server"]["http_listen_address"] == "127.0.0.1"


def test_api_image_requirements_cover_the_target() -> None:
    """The image installs compose/api/requirements.txt and the project with --no-deps:
    every third-party module harness.target imports must be listed there."""
    listed = {
        re.split(r"[<>=\[; ]", line.strip())[0].lower().replace("-", "_")
        for line in (COMPOSE_DIR / "api" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    provided_by = {"starlette": "fastapi"}  # installed as a dependency of the listed one
    imported: set[str] = set()
    target_modules = sorted((PACKAGE_DIR / "target").glob("*.py"))
    assert len(target_modules) > 5, f"no target modules found in {PACKAGE_DIR / 'target'}"
    for path in [*target_modules, PACKAGE_DIR / "paths.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {
        name for name in imported if name not in sys.stdlib_module_names and name != "harness"
    }
    missing = {m for m in third_party if provided_by.get(m, m) not in listed}
    assert not missing, f"add to compose/api/requirements.txt: {sorted(missing)}"


def test_local_image_dockerfiles_exist() -> None:
    script = (PROJECT_DIR / "scripts" / "build-images.sh").read_text()
    for name in ("prometheus", "alertmanager", "redis", "python"):
        assert (COMPOSE_DIR / "images" / f"{name}.Dockerfile").is_file()
        assert name in script
