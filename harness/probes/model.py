"""A container's liveness and readiness probes, read from a Kubernetes manifest.

Defaults and bounds are Kubernetes' (Probe fields, "Configure Liveness, Readiness and
Startup Probes", https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/):
initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 1, successThreshold 1,
failureThreshold 3; successThreshold must be 1 for liveness.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError

KINDS = ("liveness", "readiness")


@dataclass(frozen=True)
class Probe:
    kind: str  # liveness | readiness
    path: str
    port: int | str
    initial_delay: float = 0.0
    period: float = 10.0
    timeout: float = 1.0
    failure_threshold: int = 3
    success_threshold: int = 1


@dataclass(frozen=True)
class ContainerProbes:
    deployment: str
    container: str
    liveness: Probe | None
    readiness: Probe | None


def _probe(kind: str, raw: Any, where: str) -> Probe | None:
    if raw is None:
        return None
    http = raw.get("httpGet") if isinstance(raw, dict) else None
    if not isinstance(http, dict) or "path" not in http or "port" not in http:
        raise InputError(f"{where}: {kind}Probe needs httpGet with path and port")
    try:
        probe = Probe(
            kind, str(http["path"]), http["port"],
            float(raw.get("initialDelaySeconds", 0)), float(raw.get("periodSeconds", 10)),
            float(raw.get("timeoutSeconds", 1)), int(raw.get("failureThreshold", 3)),
            int(raw.get("successThreshold", 1)),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: {kind}Probe has a non-numeric field ({exc})") from exc
    if probe.period < 1 or probe.timeout < 1 or probe.failure_threshold < 1 \
            or probe.success_threshold < 1 or probe.initial_delay < 0:
        raise InputError(f"{where}: {kind}Probe is outside Kubernetes' bounds")
    if kind == "liveness" and probe.success_threshold != 1:
        raise InputError(f"{where}: livenessProbe successThreshold must be 1")
    return probe


def load_probes(manifest: Path) -> ContainerProbes:
    """The probes of the first container that has any, in the manifest's Deployments."""
    try:
        docs = [d for d in yaml.safe_load_all(manifest.read_text(encoding="utf-8")) if d]
    except OSError as exc:
        raise InputError(f"Cannot read manifest {manifest}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{manifest}: not valid YAML ({exc})") from exc
    for doc in docs:
        if not isinstance(doc, dict) or doc.get("kind") != "Deployment":
            continue
        name = str((doc.get("metadata") or {}).get("name", "?"))
        containers = (((doc.get("spec") or {}).get("template") or {}).get("spec") or {})
        for c in containers.get("containers") or []:
            where = f"{manifest}: Deployment {name}, container {c.get('name')}"
            live = _probe("liveness", c.get("livenessProbe"), where)
            ready = _probe("readiness", c.get("readinessProbe"), where)
            if live or ready:
                return ContainerProbes(name, str(c.get("name")), live, ready)
    raise InputError(f"{manifest}: no Deployment container with a liveness or readiness probe")
