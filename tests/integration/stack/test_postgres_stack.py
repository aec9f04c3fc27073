"""The stack's own PostgreSQL (--database postgres): a killed run's server is swept like
every other service, and nothing of the cluster is left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import psutil
import pytest

from harness.errors import StackError
from harness.paths import PROJECT_DIR
from harness.stack import StackSpec, open_stack
from harness.stack.postgres import postgres_bindir, require_psycopg, sweep_fallback_clusters
from harness.stack.process import group_members
from harness.stack.rundir import MARKER, sweep
from tests.support.poll import wait_until

pytestmark = pytest.mark.integration
TEACHER = {"X-User-Id": "teacher-1", "X-Tenant-Id": "tenant-1", "X-Role": "teacher"}

OWNER = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from harness.stack import StackSpec, open_stack
    stack = open_stack(StackSpec(state_dir=Path(sys.argv[1]), database="postgres"))
    stack.up()
    print(stack.endpoints.run_dir, flush=True)
    threading.Event().wait()
    """
)


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    try:
        postgres_bindir()
        require_psycopg()
    except StackError as exc:
        pytest.skip(f"PostgreSQL: {exc} (make bootstrap)")


def test_a_killed_runs_postgres_is_swept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(state)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert owner.stdout is not None
        run_dir = Path(owner.stdout.readline().strip())
        marker = json.loads((run_dir / MARKER).read_text())
        record = next(c for c in marker["children"] if c["name"] == "postgres")
        servers = [p for p in group_members(record["pgid"]) if p.name() == "postgres"]
        assert servers, "no postgres process in the recorded group"
        cluster = Path(servers[0].cmdline()[servers[0].cmdline().index("-D") + 1]).parent
        assert cluster.is_dir()
    finally:
        os.killpg(owner.pid, signal.SIGKILL)
        owner.wait()
    assert all(p.is_running() for p in servers)  # the owner died, its server did not
    assert run_dir in sweep(state)
    wait_until(lambda: not any(_alive(p) for p in servers), what="the server to be gone",
               timeout=5)
    sweep_fallback_clusters()  # a cluster outside the run directory goes too
    assert not cluster.exists() and not run_dir.exists()


def test_a_restarted_server_keeps_its_data_and_the_cluster_goes_with_the_stack(
    tmp_path: Path,
) -> None:
    spec = StackSpec(state_dir=tmp_path / "state", database="postgres", fault_token="t")
    with open_stack(spec) as stack, httpx.Client(headers=TEACHER, trust_env=False) as api:
        schools = f"{stack.endpoints.api}/api/schools"
        assert "postgres" in stack.service_names()
        assert api.get(schools).status_code == 200
        server = psutil.Process(stack.pids()["postgres"])
        base = Path(server.cmdline()[server.cmdline().index("--base") + 1])
        stack.stop_service("postgres")
        assert api.get(schools, timeout=30).status_code == 503
        stack.start_service("postgres")  # the same cluster: dbinit's tables and rows
        assert api.get(schools, timeout=30).status_code == 200
        assert base.is_dir()
    assert not base.exists()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
