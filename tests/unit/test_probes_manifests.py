"""deploy/kubernetes/: every manifest validates against Kubernetes' own schemas (bundled by
kubernetes-validate: no network), the spec's probes are the spec's, and the probe loader
refuses what Kubernetes would refuse."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from harness.errors import InputError
from harness.probes.model import Probe, load_probes

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
K8S_VERSION = "1.30.0"
COMPONENTS = ("api", "worker", "prometheus", "alertmanager", "locust")


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


@pytest.mark.parametrize("flavour", ["spec", "corrected"])
def test_every_manifest_validates_strictly(flavour: str) -> None:
    files = sorted((DEPLOY / flavour).glob("*.yaml"))
    assert {f.stem for f in files} == set(COMPONENTS)
    kinds = []
    for f in files:
        for doc in documents(f):
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            kinds.append((doc["kind"], doc["metadata"]["name"]))
    for name in ("skillcore-api", "skillcore-worker", "prometheus", "alertmanager",
                 "locust-master"):
        assert ("Deployment", name) in kinds and ("Service", name) in kinds
    assert ("Deployment", "locust-worker") in kinds


def test_the_validator_rejects_a_broken_probe() -> None:
    doc = documents(DEPLOY / "spec" / "api.yaml")[0]
    doc["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["periodSeconds"] = "ten"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_spec_manifest_has_the_spec_probes_as_written() -> None:
    probes = load_probes(DEPLOY / "spec" / "api.yaml")
    assert probes.liveness == Probe("liveness", "/health", 3000, 30, 10, 5, 3, 1)
    assert probes.readiness == Probe("readiness", "/health", 3000, 10, 5, 3, 2, 1)


def test_the_corrected_manifest_separates_liveness_and_readiness() -> None:
    probes = load_probes(DEPLOY / "corrected" / "api.yaml")
    assert probes.liveness is not None and probes.liveness.path == "/health/live"
    assert probes.readiness is not None and probes.readiness.path == "/health/ready"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: Service\n", "no Deployment container"),
        ("a: [\n", "not valid YAML"),
        ("kind: Deployment\nspec: {template: {spec: {containers: [{name: a, livenessProbe: "
         "{httpGet: {path: /, port: 1}, successThreshold: 2}}]}}}\n", "must be 1"),
        ("kind: Deployment\nspec: {template: {spec: {containers: [{name: a, readinessProbe: "
         "{tcpSocket: {port: 1}}}]}}}\n", "needs httpGet"),
        ("kind: Deployment\nspec: {template: {spec: {containers: [{name: a, readinessProbe: "
         "{httpGet: {path: /, port: 1}, periodSeconds: 0}}]}}}\n", "outside Kubernetes"),
    ],
)
def test_load_probes_refuses_bad_manifests(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_probes(path)


def test_load_probes_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Cannot read manifest"):
        load_probes(tmp_path / "absent.yaml")


def test_cli_bad_input_exits_2_before_any_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli.main import main

    for argv in (["--manifest", str(tmp_path / "absent.yaml")],
                 ["--manifest", str(DEPLOY / "spec" / "api.yaml"), "--time-scale", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["probes", *argv])
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Cannot read manifest" in err and "--time-scale must be positive" in err
