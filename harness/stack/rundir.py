"""Run directories: one per stack, with a marker that lets a later run sweep leftovers.

``STATE_DIR/<label>-<time>-<pid>/harness-run.json`` records the owner (pid, start
time, command line) and every child (name, pid, pgid, argv, start time). A run that
ends normally stops its children and removes its directory. A run that was SIGKILLed
cannot; the next run's ``sweep()`` finds directories whose owner is dead, kills their
children's process groups and removes them.

Pid reuse: a child is killed only if the pid still has the recorded start time and
command line. If the leader is gone but its group still has members, the group is
still ours: Linux does not reuse a number that is still some process's group id.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from harness.errors import StackError
from harness.paths import STATE_DIR
from harness.process_start import is_same_process, start_ticks
from harness.stack.process import ManagedProcess, group_members, wait_group_gone

log = logging.getLogger(__name__)

MARKER = "harness-run.json"
_STALE_UNREADABLE_MARKER_S = 600.0


@dataclass
class ProcessRecord:
    name: str
    pid: int
    pgid: int
    argv: list[str]
    start_ticks: int | None  # harness.process_start: tells this pid from a reused one


@dataclass
class Marker:
    owner: ProcessRecord
    started_at: str
    children: list[ProcessRecord] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Marker:
        return cls(
            owner=ProcessRecord(**data["owner"]),
            started_at=data["started_at"],
            children=[ProcessRecord(**child) for child in data["children"]],
        )


def _own_record() -> ProcessRecord:
    me = psutil.Process()
    return ProcessRecord("owner", me.pid, os.getpgid(0), me.cmdline(), start_ticks(me.pid))


class RunDir:
    """A run directory and its marker; ``record()`` each child as it starts."""

    def __init__(self, path: Path, marker: Marker) -> None:
        self.path = path
        self.marker = marker

    @classmethod
    def create(cls, state_dir: Path, label: str = "run") -> RunDir:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            for attempt in range(100):
                path = state_dir / f"{label}-{stamp}-{os.getpid()}-{attempt}"
                try:
                    path.mkdir()
                    break
                except FileExistsError:
                    continue
            else:
                raise FileExistsError(errno.EEXIST, "no free run directory name")
            run = cls(path, Marker(_own_record(), datetime.now(UTC).isoformat()))
            run._write()
        except OSError as exc:
            raise StackError(f"Cannot create a run directory under {state_dir}: {exc}") from None
        return run

    def subdir(self, name: str) -> Path:
        sub = self.path / name
        sub.mkdir(parents=True, exist_ok=True)
        return sub

    def record(self, process: ManagedProcess) -> None:
        """Record (or replace, for a restarted service) a started child."""
        entry = ProcessRecord(
            process.name, process.pid, process.pgid, process.argv, process.start_ticks
        )
        children = [c for c in self.marker.children if c.name != process.name]
        self.marker.children = [*children, entry]
        self._write()

    def close(self, *, keep: bool = False) -> None:
        """After every child has stopped: remove the directory, or keep it unmarked
        (a directory without a marker is never swept)."""
        if keep:
            (self.path / MARKER).unlink(missing_ok=True)
        else:
            shutil.rmtree(self.path, ignore_errors=True)

    def _write(self) -> None:
        tmp = self.path / (MARKER + ".tmp")
        tmp.write_text(json.dumps(asdict(self.marker), indent=2))
        os.replace(tmp, self.path / MARKER)


@contextmanager
def recorded_run(label: str, state_dir: Path = STATE_DIR) -> Iterator[RunDir]:
    """A run directory for processes started outside a stack (a throwaway Prometheus, a
    promtool replay): ``record()`` each one; leftovers of killed runs are swept first, and
    this one's directory goes on the way out (after its processes stopped)."""
    sweep(state_dir)
    run = RunDir.create(state_dir, label)
    try:
        yield run
    finally:
        run.close()


def _identify(record: ProcessRecord) -> str:
    """'ours' (live, as recorded), 'gone' (no such pid, or a zombie) or 'other' (pid reused)."""
    try:
        if not is_same_process(record.pid, None):
            return "gone"
        if not is_same_process(record.pid, record.start_ticks):
            return "other"
        cmdline = psutil.Process(record.pid).cmdline()
    except psutil.NoSuchProcess:
        return "gone"
    except psutil.Error:
        return "other"  # cannot inspect it: do not touch it
    if not record.argv or cmdline == record.argv:
        return "ours"
    # Some programs rewrite their title (redis-server shows "redis-server 127.0.0.1:P").
    program = os.path.basename(record.argv[0])
    title = cmdline[0] if cmdline else ""
    if title.startswith(program) or os.path.basename(title).startswith(program):
        return "ours"
    return "other"


def kill_recorded_group(record: ProcessRecord) -> bool:
    """SIGKILL a recorded child's process group if it is still that child's; True if killed."""
    state = _identify(record)
    if state == "other":
        return False  # the pid now belongs to another program: leave it alone
    if state == "gone" and not group_members(record.pgid):
        return False  # nothing left of it
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(record.pgid, signal.SIGKILL)
    wait_group_gone(record.pgid, time.monotonic() + 2.0)
    return True


def sweep(state_dir: Path) -> list[Path]:
    """Kill the leftovers of runs whose owner is dead and remove their directories."""
    swept: list[Path] = []
    if not state_dir.is_dir():
        return swept
    for path in sorted(state_dir.iterdir()):
        if not path.is_dir():
            continue
        marker_path = path / MARKER
        if not marker_path.exists():
            continue  # not a run directory of ours (or kept on purpose)
        try:
            marker = Marker.from_json(json.loads(marker_path.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            # Unreadable marker: only an old one is safe to treat as abandoned.
            try:
                age = time.time() - marker_path.stat().st_mtime
            except OSError:
                continue  # gone meanwhile: another harness swept it
            if age > _STALE_UNREADABLE_MARKER_S:
                shutil.rmtree(path, ignore_errors=True)
                swept.append(path)
            continue
        if _identify(marker.owner) == "ours":
            continue  # a live run (this one, or another harness)
        for child in marker.children:
            if kill_recorded_group(child):
                log.warning("stopped leftover %s (pid %d) of %s", child.name, child.pid, path.name)
        shutil.rmtree(path, ignore_errors=True)
        swept.append(path)
    return swept
