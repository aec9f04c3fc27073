"""The runner's recording step: the scenario's Prometheus kept in its report folder
(``harness.offline.capture``) before the stack stops; what report.json says of it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.engine.history import Episode as LiveEpisode
from harness.errors import HarnessError
from harness.offline.capture import record

if TYPE_CHECKING:
    from harness.engine.runner import Drove, Running

log = logging.getLogger(__name__)


def record_scenario(
    run: Running,
    drove: Drove,
    episodes: Mapping[str, list[LiveEpisode]],
    last_eval: Mapping[str, float],
    out_dir: Path,
) -> dict[str, Any]:
    """The runner's collect step: record the scenario; what report.json says of it.
    A recording that fails is a warning, never the scenario's verdict."""
    prepared = run.prepared
    try:
        recording = record(
            run.stack,
            run.stack.endpoints.prometheus,
            out_dir,
            scenario=run.scenario.id,
            time_scale=prepared.time_scale,
            intervals=(prepared.intervals.scrape, prepared.intervals.evaluation),
            rule_files=prepared.stack_spec.rule_files,
            ended=max(last_eval.values(), default=drove.ended),
            phases=[m.to_dict() for m in drove.marks],
            alerts={n: [e.to_dict() for e in eps] for n, eps in episodes.items()},
            alert_samples={n: [t for e in es for t, _ in e.samples] for n, es in episodes.items()},
        )
    except (HarnessError, OSError) as exc:  # a full disk, say: still only a warning
        log.warning("scenario %s: no recording: %s", run.scenario.id, exc)
        return {"path": None, "size_bytes": 0, "error": str(exc)}
    return {
        "path": str(recording.path.relative_to(out_dir)),
        "size_bytes": recording.size_bytes,
        "error": None,
    }
