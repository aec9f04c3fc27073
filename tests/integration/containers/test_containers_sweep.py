"""A harness process SIGKILLed while it holds a ContainerStack: its containers survive
it (nothing of its own can run), and the next stack's start removes them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from containers_helpers import leftover_containers, spec

from harness.stack import open_stack

pytestmark = [pytest.mark.containers, pytest.mark.integration]

HOLDER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from harness.stack import StackSpec, open_stack

    stack = open_stack(StackSpec(state_dir=Path(sys.argv[1]), run_label="killed"), "containers")
    stack.up()
    print(json.dumps({"run_id": stack.run_id, "run_dir": str(stack.endpoints.run_dir)}), flush=True)
    time.sleep(600)
    """
)


def test_next_run_sweeps_a_killed_runs_containers(tmp_path: Path) -> None:
    state = tmp_path / "state"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert line, f"the holder exited with {holder.wait()} before its stack was up"
        started = json.loads(line)
        run_id = started["run_id"]
        assert len(leftover_containers(run_id)) == 6  # five services and dbinit
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert len(leftover_containers(run_id)) == 6, "SIGKILL cannot have removed them"
    assert Path(started["run_dir"]).exists()

    with open_stack(spec(tmp_path, state_dir=state), "containers"):
        assert leftover_containers(run_id) == []
        assert not Path(started["run_dir"]).exists()
