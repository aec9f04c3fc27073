"""Bad input, one convention: one small file per case, the exact message pinned beside it.

``tests/bad_input/<kind>/<case>.<ext>`` is given to the loader of its kind, with the
working directory ``tests/bad_input`` (paths in messages are relative), and the error's
text must equal ``<case>.expected``. A case may be a directory: the loader gets the
directory. Every case must be refused with exit code 2 (the ``HarnessError`` family).

- ``scenarios/``: ``load_scenarios``, then ``validate_against`` the spec's alerts and
  receivers.
- ``rules/``: ``load_rules``.  ``slo/``: ``load_slo``.  ``checks/``: the query-check table.
- ``alertmanager/``: ``render_alertmanager_config`` (no amtool: the file's own problems).
- ``cli/``: ``<case>.args`` holds a ``harness`` command line (shlex; ``#`` lines are
  comments; an ``env NAME=VALUE`` line sets a variable); it runs as a subprocess, must exit
  2 without a traceback, and its stderr is the message. Placeholders in the args:
  ``{project}``, ``{tmp}``, ``{fifo}`` (a FIFO in tmp), ``{busy_port}`` (held by this
  process), ``{path_without_prometheus}`` (a PATH with Redis and Alertmanager only); in
  the message, the same values are written back as placeholders (and ``{pid}``, ``{comm}``).

(``lint/`` holds lint findings, not errors: ``tests/unit/test_lint_checks.py``.)
After an intended change of wording: ``UPDATE_EXPECTED=1 pytest tests/bad_input``, and
review the diff.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.errors import EXIT_BAD_INPUT, HarnessError
from harness.paths import PROJECT_DIR
from harness.queries.table import load_checks
from harness.receivers.render import render_alertmanager_config
from harness.rules.load import load_rules
from harness.scenarios import load_scenarios, validate_against
from harness.slo.model import load_slo

HERE = Path(__file__).resolve().parent
SPEC_ALERTS = {
    "HighErrorRate",
    "HighLatency",
    "HighQueueDepth",
    "DLQGrowing",
    "SlowDatabaseQueries",
    "WorkerStalled",
    "InterventionCreationFailing",
    "NotificationDeliveryFailing",
}
SPEC_RECEIVERS = {"default", "pagerduty", "slack", "slack-product"}


def _scenarios(path: Path) -> None:
    for scenario in load_scenarios([path], env={}):
        validate_against(scenario, SPEC_ALERTS, SPEC_RECEIVERS)


LOADERS: dict[str, Callable[[Path], object]] = {
    "scenarios": _scenarios,
    "rules": load_rules,
    "slo": load_slo,
    "checks": load_checks,
    "alertmanager": lambda path: render_alertmanager_config(path, check=False),
}


def _cases(kind: str) -> list[Path]:
    folder = HERE / kind
    return sorted(p for p in folder.iterdir() if p.suffix != ".expected")


FILE_CASES = [case for kind in LOADERS for case in _cases(kind)]
CLI_CASES = _cases("cli")


def test_cases_are_found_and_pinned() -> None:
    for kind in [*LOADERS, "cli"]:
        assert _cases(kind), f"no bad-input case in {kind}/"
    cases = {p.with_suffix("") for p in [*FILE_CASES, *CLI_CASES]}
    pinned = {p.with_suffix("") for p in HERE.glob("*/*.expected")}
    assert sorted(map(str, pinned - cases)) == [], "a pinned message without its case"


def _check(case: Path, message: str) -> None:
    expected = case.with_suffix(".expected")
    if os.environ.get("UPDATE_EXPECTED"):
        expected.write_text(message + "\n", encoding="utf-8")
    assert expected.exists(), f"no pinned message; got:\n{message}"
    assert message == expected.read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bad_file(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    relative = case.relative_to(HERE)
    with pytest.raises(HarnessError) as info:
        LOADERS[relative.parts[0]](relative)
    assert info.value.exit_code == EXIT_BAD_INPUT
    _check(case, str(info.value))


@pytest.fixture
def places(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The values of the placeholders a command line may use."""
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("redis-server", "prometheus-alertmanager"):
        found = shutil.which(name)
        if found:
            (bin_dir / name).symlink_to(found)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield {
            "{project}": str(PROJECT_DIR),
            "{tmp}": str(tmp_path),
            "{fifo}": str(fifo),
            "{busy_port}": str(holder.getsockname()[1]),
            "{path_without_prometheus}": str(bin_dir),
        }


def _command(case: Path, places: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    env = dict(os.environ)
    for line in case.read_text(encoding="utf-8").splitlines():
        for key, value in places.items():
            line = line.replace(key, value)
        if line.startswith("env "):
            name, _, value = line[4:].partition("=")
            env[name] = value
        elif line.strip() and not line.startswith("#"):
            args += shlex.split(line)
    return args, env


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda p: p.stem)
def test_bad_command_line(case: Path, places: dict[str, str]) -> None:
    if "{path_without_prometheus}" in case.read_text(encoding="utf-8"):
        for name in ("redis-server", "prometheus-alertmanager"):
            if shutil.which(name) is None:
                pytest.skip(f"{name} not installed: the missing program would be another")
    args, env = _command(case, places)
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        capture_output=True, text=True, timeout=120, cwd=HERE, env=env, check=False,
    )
    assert result.returncode == EXIT_BAD_INPUT, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Stack is up" not in result.stdout  # nothing was started
    message = result.stderr.rstrip("\n")
    comm = Path("/proc/self/comm").read_text().strip() if Path("/proc/self/comm").exists() else ""
    back = {v: k for k, v in places.items()}
    back.update({f"pid {os.getpid()}": "pid {pid}", f"({comm})": "({comm})"})
    for value, key in sorted(back.items(), key=lambda kv: -len(kv[0])):
        message = message.replace(value, key)
    _check(case, message)
