"""The stack's PostgreSQL: where its cluster goes, how it is reached, how it is closed."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from harness.errors import StackError
from harness.stack.database import PG_HELPER, DatabaseOutage
from harness.stack.postgres import (
    FALLBACK_PREFIX,
    SERVER,
    PostgresAccess,
    PostgresCluster,
    reachable_by,
    sweep_fallback_clusters,
    uses_postgres,
)
from harness.stack.rundir import RunDir
from harness.stack.spec import StackSpec


def test_database_choice() -> None:
    assert uses_postgres(StackSpec(database="postgres"))
    assert not uses_postgres(StackSpec())
    with pytest.raises(StackError, match="Unknown database 'mysql': sqlite or postgres"):
        uses_postgres(StackSpec(database="mysql"))


def test_urls_carry_the_runs_password_and_port() -> None:
    access = PostgresAccess(5433, "s3cret")
    assert access.url() == "postgresql+psycopg://harness:s3cret@127.0.0.1:5433/target"
    assert access.url("harness-x-postgres", 5432).endswith("@harness-x-postgres:5432/target")
    assert "dbname=postgres" in access.conninfo() and "port=5433" in access.conninfo()


def test_reachable_by_follows_every_parent(tmp_path: Path) -> None:
    user = pwd.getpwuid(os.getuid()).pw_name
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    assert reachable_by(inner, user)
    (tmp_path / "a").chmod(0o000)
    try:
        # The owner's own x bit: gone, so not even the owner may traverse.
        assert not reachable_by(inner, user)
    finally:
        (tmp_path / "a").chmod(0o755)


def test_cluster_in_the_run_directory_when_reachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("harness.stack.postgres.server_user", lambda: None)
    monkeypatch.setattr("harness.stack.postgres.require_psycopg", lambda: None)
    run = RunDir.create(tmp_path)
    cluster = PostgresCluster.plan(run, 5555)
    assert cluster.base == run.path / "postgres" and not cluster.temporary
    assert (cluster.base / "password").read_text().strip() == cluster.password
    argv = cluster.server_argv(Path("/pg/bin"))
    assert argv[1] == str(SERVER) and "--user" not in argv
    assert argv[argv.index("--port") + 1] == "5555"


def test_stale_fallback_clusters_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    live_run, dead_run = tmp_path / "live-run", tmp_path / "dead-run"
    live_run.mkdir()
    for name, owner in (("live", live_run), ("dead", dead_run)):
        base = tmp_path / f"{FALLBACK_PREFIX}{name}"
        base.mkdir()
        (base / "run").write_text(f"{owner}\n")
    (tmp_path / f"{FALLBACK_PREFIX}starting").mkdir()  # no owner file yet: left alone
    sweep_fallback_clusters()
    left = sorted(p.name for p in tmp_path.glob(FALLBACK_PREFIX + "*"))
    assert left == [f"{FALLBACK_PREFIX}live", f"{FALLBACK_PREFIX}starting"]


def test_outage_of_the_stacks_postgres_closes_its_database(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path)
    access = PostgresAccess(5433, "pw")
    outage = DatabaseOutage(access.url(), run, admin=(access.conninfo(), "target"))
    process = outage.new_process()
    assert process.argv[1] == str(PG_HELPER) and process.argv[-1] == "target"
    assert process.argv[process.argv.index("--admin") + 1] == access.conninfo()
