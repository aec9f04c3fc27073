"""Remove old runs' recordings (``harness report --prune``): the rest of each report stays.

A run is a folder of the reports root holding ``scenarios/``; newest first by run id
(``YYYYmmdd-HHMMSS-…``, then modification time). A run still in progress (its
``INCOMPLETE`` marker names a live process) is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from harness.offline.recording import DIR_NAME, dir_size

INCOMPLETE = "INCOMPLETE"


@dataclass(frozen=True)
class Pruned:
    run: Path
    recordings: int
    freed_bytes: int


def _runs(root: Path) -> list[Path]:
    runs = [p for p in root.iterdir() if p.is_dir() and (p / "scenarios").is_dir()]
    return sorted(runs, key=lambda p: (p.name, p.stat().st_mtime), reverse=True)


def _in_progress(run: Path) -> bool:
    marker = run / INCOMPLETE
    if not marker.is_file():
        return False
    found = re.search(r"pid (\d+)", marker.read_text(encoding="utf-8", errors="replace"))
    if not found:
        return False
    try:
        os.kill(int(found.group(1)), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune(root: Path, *, keep: int | None = None, older_than_s: float | None = None,
          now: float | None = None) -> list[Pruned]:
    """Delete the recordings of every run but the ``keep`` newest, or of runs older than
    ``older_than_s`` (both given: a run goes when either says so)."""
    runs = _runs(root)
    now = time.time() if now is None else now
    chosen = []
    for index, run in enumerate(runs):
        too_many = keep is not None and index >= keep
        too_old = older_than_s is not None and now - run.stat().st_mtime > older_than_s
        if (too_many or too_old) and not _in_progress(run):
            chosen.append(run)
    done = []
    for run in chosen:
        folders = list(run.glob(f"scenarios/*/{DIR_NAME}"))
        if not folders:
            continue
        freed = sum(dir_size(f) for f in folders)
        for folder in folders:
            shutil.rmtree(folder)
        done.append(Pruned(run, len(folders), freed))
    return done


def prune_command(
    roots: tuple[Path, ...], asked: bool, keep: int | None, older_than: str | None
) -> list[str]:
    """`harness report --prune ROOT (--keep N | --older-than D)`: what was removed."""
    from harness.durations import parse_duration
    from harness.errors import InputError

    if not asked or (keep is None and older_than is None):
        raise InputError("--prune needs --keep N or --older-than D (and --keep/--older-than "
                         "need --prune)")
    if len(roots) != 1 or not roots[0].is_dir():
        raise InputError("--prune takes one reports folder (e.g. reports/)")
    try:
        older_s = None if older_than is None else parse_duration(older_than)
    except ValueError as exc:
        raise InputError(f"--older-than: {exc}") from None
    done = prune(roots[0], keep=keep, older_than_s=older_s)
    lines = [f"pruned {p.recordings} recording(s) of {p.run.name}: "
             f"{p.freed_bytes / 1e6:.1f} MB" for p in done]
    total = sum(p.freed_bytes for p in done)
    return [*lines, f"freed {total / 1e6:.1f} MB in {len(done)} run(s)"]
