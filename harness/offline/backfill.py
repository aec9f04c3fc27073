"""Synthetic history into a Prometheus data directory, through promtool's backfill.

``write_openmetrics`` writes series to an OpenMetrics text file (no ``# TYPE`` lines:
every family is ``unknown``, which any metric name may be; the series of one name are
written together, as the format requires, each in time order); ``create_blocks`` runs
``promtool tsdb create-blocks-from openmetrics FILE DIR``, which writes TSDB blocks that
a Prometheus started on ``DIR`` serves. Staleness markers cannot be written this way:
a series that stops stays visible for the query lookback (5 minutes by default).
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.stack.binaries import find_binary

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_TIMEOUT_S = 600


class BackfillError(HarnessError):
    """Series that cannot be written, or a backfill promtool refused."""


@dataclass(frozen=True)
class Series:
    """One series: a metric name, labels, and (unix seconds, value) samples in time order."""

    name: str
    samples: Sequence[tuple[float, float]]
    labels: Mapping[str, str] = field(default_factory=dict)


def _value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _series_text(series: Series) -> Iterable[str]:
    if not _NAME.fullmatch(series.name):
        raise BackfillError(f"Invalid metric name {series.name!r}.")
    for label in series.labels:
        if not _LABEL.fullmatch(label) or label.startswith("__"):
            raise BackfillError(f"Invalid label name {label!r} on {series.name}.")
    pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(series.labels.items()))
    head = f"{series.name}{{{pairs}}}" if pairs else series.name
    last = -math.inf
    for ts, value in series.samples:
        if ts <= last:
            raise BackfillError(f"Samples of {head} are not in time order at {ts}.")
        last = ts
        yield f"{head} {_value(value)} {ts:.3f}\n"


def write_openmetrics(series: Iterable[Series], path: Path) -> int:
    """Write the series to ``path``; the number of samples written."""
    ordered = sorted(series, key=lambda s: (s.name, sorted(s.labels.items())))
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for one in ordered:
            for line in _series_text(one):
                out.write(line)
                count += 1
        out.write("# EOF\n")
    return count


def create_blocks(openmetrics: Path, data_dir: Path) -> str:
    """``promtool tsdb create-blocks-from openmetrics``; promtool's summary of the blocks."""
    command = [
        find_binary("promtool"),
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        str(openmetrics),
        str(data_dir),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise BackfillError(f"promtool backfill did not finish within {_TIMEOUT_S} s.") from None
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise BackfillError(f"promtool could not backfill {openmetrics}:\n  {output[-2000:]}")
    return output


def backfill(series: Iterable[Series], data_dir: Path, *, work_dir: Path | None = None) -> int:
    """Write ``series`` as blocks into ``data_dir``; the number of samples written.
    The OpenMetrics file goes to ``work_dir`` (default: beside ``data_dir``)."""
    text_file = (work_dir or data_dir.parent) / f"{data_dir.name}.om"
    count = write_openmetrics(series, text_file)
    create_blocks(text_file, data_dir)
    return count
