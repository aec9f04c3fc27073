"""Which process a pid is, told by its start: the clock ticks from boot to the process's
start (field 22 of ``/proc/<pid>/stat``), the same number in every process that reads
it. psutil's ``create_time()`` is that plus the boot time, which Linux derives from the
wall clock in whole seconds: when NTP steps or slews the clock across a second, two
reads of one process's start differ by a second, and a live harness looked dead.
"""

from __future__ import annotations

from pathlib import Path

# Fields counted from the one after the ")" that ends the program's name (field 3).
_STATE, _START_TICKS = 0, 19


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = stat.rpartition(")")[2].split()
    return fields if len(fields) > _START_TICKS else None


def start_ticks(pid: int) -> int | None:
    """Clock ticks from boot to ``pid``'s start, or None if there is no such process."""
    fields = _stat_fields(pid)
    return int(fields[_START_TICKS]) if fields else None


def is_same_process(pid: int, ticks: int | None) -> bool:
    """True if ``pid`` runs (a zombie does not) and started at ``ticks`` (any start if
    ``ticks`` is None)."""
    fields = _stat_fields(pid)
    if fields is None or fields[_STATE] == "Z":
        return False
    return ticks is None or int(fields[_START_TICKS]) == ticks
