"""report.json's versions: each stack program's ``--version``, found where the stack
finds it (any of its executable names), a missing one left out."""

from __future__ import annotations

from pathlib import Path

from harness.stack.binaries import program_versions


def _program(folder: Path, name: str, body: str) -> None:
    exe = folder / name
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)


def test_versions_follow_the_binary_candidates(tmp_path: Path) -> None:
    # Upstream builds call it alertmanager (Debian: prometheus-alertmanager).
    _program(tmp_path, "alertmanager", "echo 'alertmanager, version 0.25.0'; echo more")
    _program(tmp_path, "prometheus", "echo 'prometheus, version 2.42.0' >&2")  # on stderr
    got = program_versions(("prometheus", "alertmanager", "redis-server"), str(tmp_path))
    assert got == {
        "prometheus": "prometheus, version 2.42.0",
        "alertmanager": "alertmanager, version 0.25.0",
    }


def test_a_silent_program_is_marked_unknown(tmp_path: Path) -> None:
    _program(tmp_path, "redis-server", "exit 0")
    assert program_versions(("redis-server",), str(tmp_path)) == {"redis-server": "?"}
