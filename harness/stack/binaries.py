"""Programs the local backend runs, found on PATH; a missing one names its Debian package."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from harness.errors import MissingBinaryError


@dataclass(frozen=True)
class Program:
    name: str  # how the harness and its messages call it
    candidates: tuple[str, ...]  # executable names to look for, in order
    package: str  # the Debian package that installs it


PROGRAMS: dict[str, Program] = {
    p.name: p
    for p in (
        Program("prometheus", ("prometheus",), "prometheus"),
        # Debian names the binary prometheus-alertmanager; upstream builds call it alertmanager.
        Program(
            "alertmanager", ("prometheus-alertmanager", "alertmanager"), "prometheus-alertmanager"
        ),
        Program("redis-server", ("redis-server",), "redis-server"),
        Program("promtool", ("promtool",), "prometheus"),
        Program("amtool", ("amtool",), "prometheus-alertmanager"),
    )
}

LOCAL_STACK_PROGRAMS = ("prometheus", "alertmanager", "redis-server")


def find_binary(name: str, path: str | None = None) -> str:
    """Absolute path of program ``name`` (a key of PROGRAMS); MissingBinaryError if absent."""
    program = PROGRAMS[name]
    search = path if path is not None else os.environ.get("PATH", os.defpath)
    for candidate in program.candidates:
        found = shutil.which(candidate, path=search)
        if found:
            return os.path.abspath(found)
    raise MissingBinaryError(program.candidates[0], package=program.package)


@lru_cache(maxsize=1)
def program_versions(
    names: tuple[str, ...] = LOCAL_STACK_PROGRAMS, path: str | None = None
) -> dict[str, str]:
    """First line of ``--version`` of each program found (cached per process); a
    missing one, or one that cannot run, is left out."""
    out: dict[str, str] = {}
    for name in names:
        try:
            exe = find_binary(name, path)
            proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=5)
        except (MissingBinaryError, OSError, subprocess.TimeoutExpired):
            continue
        first = (proc.stdout or proc.stderr).strip().splitlines()
        out[name] = first[0] if first else "?"
    return out


def require_binaries(
    names: Iterable[str] = LOCAL_STACK_PROGRAMS, path: str | None = None
) -> dict[str, str]:
    """Find every program before anything starts: name -> absolute path."""
    return {name: find_binary(name, path) for name in names}
