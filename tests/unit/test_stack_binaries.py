"""Missing programs are named with the Debian package that installs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.errors import MissingBinaryError
from harness.stack.binaries import find_binary, require_binaries


def _path_with(tmp_path: Path, *names: str) -> str:
    for name in names:
        exe = tmp_path / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    return str(tmp_path)


def test_missing_prometheus_names_package(tmp_path: Path) -> None:
    path = _path_with(tmp_path, "redis-server", "prometheus-alertmanager")
    with pytest.raises(MissingBinaryError) as info:
        require_binaries(path=path)
    text = str(info.value)
    assert "'prometheus' was not found on PATH" in text
    assert "apt-get install -y prometheus" in text
    assert info.value.exit_code == 2


def test_alertmanager_found_under_either_name(tmp_path: Path) -> None:
    path = _path_with(tmp_path, "alertmanager")
    assert find_binary("alertmanager", path=path) == os.path.join(tmp_path, "alertmanager")


def test_missing_alertmanager_names_debian_binary_and_package(tmp_path: Path) -> None:
    with pytest.raises(MissingBinaryError) as info:
        find_binary("alertmanager", path=str(tmp_path))
    assert "'prometheus-alertmanager'" in str(info.value)
    assert "apt-get install -y prometheus-alertmanager" in str(info.value)
