"""Record a live scenario's Prometheus into its report folder, before the stack stops.

A TSDB snapshot (``POST /api/v1/admin/tsdb/snapshot``, the stack's Prometheus runs with
``--web.enable-admin-api``) holds every block plus the head, as hard links inside the
data directory's ``snapshots/<name>``; it is copied out before the run directory is
removed: from the local backend's data directory, or out of the container (the
containers backend keeps Prometheus's data in a tmpfs, reachable only through the
engine's archive API: ``copy_out``).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import httpx

from harness.offline.recording import (
    DIR_NAME,
    RULES_NAME,
    TSDB_NAME,
    Recording,
    RecordingError,
    dir_size,
    write_meta,
)
from harness.verdicts.timestamps import parse_timestamp

SNAPSHOT_TIMEOUT_S = 60.0


class _CopiesOut(Protocol):
    def copy_out(self, service: str, path: str, dest: Path) -> None: ...


def take_snapshot(prometheus_url: str) -> str:
    """The snapshot's folder name under the data directory's ``snapshots/``."""
    url = prometheus_url.rstrip("/") + "/api/v1/admin/tsdb/snapshot"
    try:
        response = httpx.post(url, timeout=SNAPSHOT_TIMEOUT_S)
        response.raise_for_status()
        return str(response.json()["data"]["name"])
    except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"Prometheus did not take a TSDB snapshot ({url}): {exc}") from None


def prometheus_facts(prometheus_url: str) -> tuple[str, float, dict[str, tuple[float, float]]]:
    """Prometheus's version, its start (unix s), and per alert its group's (interval,
    last evaluation) from /api/v1/rules."""
    base = prometheus_url.rstrip("/")
    try:
        build = httpx.get(f"{base}/api/v1/status/buildinfo", timeout=10).json()["data"]
        runtime = httpx.get(f"{base}/api/v1/status/runtimeinfo", timeout=10).json()["data"]
        groups = httpx.get(f"{base}/api/v1/rules", timeout=10).json()["data"]["groups"]
    except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"Prometheus's status API did not answer ({base}): {exc}") from None
    started = parse_timestamp(runtime.get("startTime")) or 0.0
    slots: dict[str, tuple[float, float]] = {}
    for group in groups:
        last = parse_timestamp(group.get("lastEvaluation")) or 0.0
        for rule in group.get("rules", []):
            if rule.get("type") == "alerting":
                slots[rule["name"]] = (float(group.get("interval", 0.0)), last)
    return str(build.get("version", "?")), started, slots


def eval_phase_ms(
    slots: Mapping[str, tuple[float, float]], samples: Mapping[str, Sequence[float]]
) -> dict[str, int]:
    """Each alert's evaluation slot offset (ms modulo its interval): exact from an
    ``ALERTS`` sample's timestamp (the evaluation's own), else from the group's last
    evaluation's wall-clock start (a few ms after its slot)."""
    phases: dict[str, int] = {}
    for name, (interval, last) in slots.items():
        step = max(1, round(interval * 1000))
        stamps = samples.get(name) or ()
        at = stamps[0] if stamps else last
        phases[name] = round(at * 1000) % step
    return phases


def copy_snapshot(stack: object, name: str, dest: Path) -> None:
    """The snapshot ``name`` into ``dest`` (which must not exist yet)."""
    if hasattr(stack, "copy_out"):  # containers: the data is inside the container
        from harness.stack.containers.plan import DATA_DIR

        copier: _CopiesOut = stack
        copier.copy_out("prometheus", f"{DATA_DIR}/snapshots/{name}", dest)
        return
    run_dir = getattr(stack, "run_dir", None)
    if run_dir is None:
        raise RecordingError("This stack backend does not expose Prometheus's data directory.")
    source = run_dir.path / "prometheus" / "data" / "snapshots" / name
    try:
        shutil.copytree(source, dest)
    except OSError as exc:
        raise RecordingError(f"Cannot copy the TSDB snapshot {source}: {exc}") from None
    finally:
        shutil.rmtree(source, ignore_errors=True)


def record(
    stack: object,
    prometheus_url: str,
    out_dir: Path,
    *,
    scenario: str,
    time_scale: float,
    intervals: tuple[float, float],
    rule_files: Sequence[tuple[str, str]],
    ended: float,
    phases: Sequence[dict[str, Any]],
    alerts: Mapping[str, list[dict[str, Any]]],
    alert_samples: Mapping[str, Sequence[float]],
) -> Recording:
    """Snapshot the live Prometheus into ``out_dir/recording``; the recording's facts."""
    folder = out_dir / DIR_NAME
    if folder.exists():
        shutil.rmtree(folder)
    (folder / RULES_NAME).mkdir(parents=True)
    version, started, slots = prometheus_facts(prometheus_url)
    copy_snapshot(stack, take_snapshot(prometheus_url), folder / TSDB_NAME)
    names = []
    for name, text in rule_files:
        (folder / RULES_NAME / name).write_text(text, encoding="utf-8")
        names.append(f"{RULES_NAME}/{name}")
    recording = Recording(
        path=folder,
        scenario=scenario,
        prometheus_version=version,
        time_scale=time_scale,
        scrape_interval_s=intervals[0],
        evaluation_interval_s=intervals[1],
        prometheus_started=started,
        ended=ended,
        rule_files=tuple(names),
        phases=tuple(phases),
        alerts=dict(alerts),
        eval_phase_ms=eval_phase_ms(slots, alert_samples),
    )
    write_meta(recording)
    return replace(recording, size_bytes=dir_size(folder))

