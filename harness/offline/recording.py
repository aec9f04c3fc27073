"""A recorded run: what one scenario's Prometheus scraped, and what is needed to replay it.

``reports/<run>/scenarios/<id>/recording/`` holds ``tsdb/`` (a TSDB snapshot taken
through the admin API before the stack stopped), ``rules/`` (the rule files as the
stack ran them: scaled) and ``recording.json``: the format version, Prometheus's
version, the time scale k, the scrape and evaluation intervals, when Prometheus started
(offline evaluation starts there, with empty state, as the live rules did), each
alert's group evaluation phase (offset of its evaluation slots, ms), the phase timeline
and each alert's live episodes from ``ALERTS``.

``load_recording`` reads one back (RecordingError, exit 2, for a missing or foreign
one); ``open_recording`` serves it through a throwaway Prometheus on a COPY of
``tsdb/`` (Prometheus writes to its data directory).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.offline.prometheus import throwaway_prometheus
from harness.offline.source import PrometheusSource, SourceOptions
from harness.rules.load import load_rules
from harness.rules.model import AlertRule

FORMAT = 1
DIR_NAME = "recording"
META_NAME = "recording.json"
TSDB_NAME = "tsdb"
RULES_NAME = "rules"


class RecordingError(HarnessError):
    """A recording that is missing, damaged or of another format version."""


@dataclass(frozen=True)
class Recording:
    path: Path  # the recording/ folder
    scenario: str
    prometheus_version: str
    time_scale: float
    scrape_interval_s: float
    evaluation_interval_s: float
    prometheus_started: float  # unix seconds: the live rules' state started empty here
    ended: float  # unix seconds: the groups' last evaluation the live run judged
    rule_files: tuple[str, ...]  # relative to ``path``
    phases: tuple[dict[str, Any], ...] = ()  # name, start, end (unix seconds), faults
    alerts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # live episodes
    eval_phase_ms: dict[str, int] = field(default_factory=dict)  # alert -> slot offset
    size_bytes: int = 0

    @property
    def tsdb(self) -> Path:
        return self.path / TSDB_NAME

    def rules(self) -> list[AlertRule]:
        """The alerting rules as run (scaled), in file order."""
        found: list[AlertRule] = []
        for name in self.rule_files:
            found += load_rules(self.path / name).alerts
        return found

    def rule(self, alert: str) -> AlertRule:
        for rule in self.rules():
            if rule.name == alert:
                return rule
        raise RecordingError(f"Alert {alert!r} is not in the rules of recording {self.path}.")

    def interval_s(self, alert: str) -> float:
        return self.rule(alert).group_interval_s or self.evaluation_interval_s

    def phase(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.phases if p["name"] == name), None)


def dir_size(path: Path) -> int:
    """Bytes in the files under ``path`` (0 when it does not exist)."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def write_meta(recording: Recording) -> Path:
    meta = {
        "format": FORMAT,
        "scenario": recording.scenario,
        "prometheus_version": recording.prometheus_version,
        "time_scale": recording.time_scale,
        "intervals": {
            "scrape": recording.scrape_interval_s,
            "evaluation": recording.evaluation_interval_s,
        },
        "prometheus_started": recording.prometheus_started,
        "ended": recording.ended,
        "rule_files": list(recording.rule_files),
        "eval_phase_ms": recording.eval_phase_ms,
        "phases": list(recording.phases),
        "alerts": recording.alerts,
    }
    path = recording.path / META_NAME
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def find_recordings(run_dir: Path) -> list[Path]:
    """The recording folders of a report run (``<run>/scenarios/*/recording``)."""
    return sorted(p.parent for p in run_dir.glob(f"scenarios/*/{DIR_NAME}/{META_NAME}"))


def load_recording(path: Path) -> Recording:
    """A recording folder (or the scenario folder holding ``recording/``)."""
    if (path / DIR_NAME / META_NAME).is_file():
        path = path / DIR_NAME
    meta_path = path / META_NAME
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(f"No recorded run at {path} (no {META_NAME}).") from None
    except (OSError, ValueError) as exc:
        raise RecordingError(f"Cannot read {meta_path}: {exc}") from None
    version = meta.get("format") if isinstance(meta, dict) else None
    if version != FORMAT:
        raise RecordingError(
            f"{meta_path} is a recording of format {version!r}; this harness reads "
            f"format {FORMAT}: record the run again with this version"
        )
    try:
        return Recording(
            path=path,
            scenario=str(meta["scenario"]),
            prometheus_version=str(meta["prometheus_version"]),
            time_scale=float(meta["time_scale"]),
            scrape_interval_s=float(meta["intervals"]["scrape"]),
            evaluation_interval_s=float(meta["intervals"]["evaluation"]),
            prometheus_started=float(meta["prometheus_started"]),
            ended=float(meta["ended"]),
            rule_files=tuple(meta["rule_files"]),
            phases=tuple(meta.get("phases", ())),
            alerts=dict(meta.get("alerts", {})),
            eval_phase_ms={k: int(v) for k, v in meta.get("eval_phase_ms", {}).items()},
            size_bytes=dir_size(path),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{meta_path} lacks or garbles {exc}") from None


@contextmanager
def open_recording(
    recording: Recording, *, work_dir: Path | None = None
) -> Iterator[PrometheusSource]:
    """A query source over a throwaway Prometheus serving a copy of the recording."""
    if not recording.tsdb.is_dir():
        raise RecordingError(f"Recording {recording.path} has no {TSDB_NAME}/ folder.")
    with ExitStack() as stack:
        if work_dir is None:
            work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="replay-")))
        copy = work_dir / "data"
        shutil.copytree(recording.tsdb, copy)
        server = stack.enter_context(
            throwaway_prometheus(
                copy,
                evaluation_interval_s=recording.evaluation_interval_s,
                work_dir=work_dir,
            )
        )
        source = stack.enter_context(PrometheusSource(SourceOptions(url=server.url)))
        yield source
