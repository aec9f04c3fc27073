"""The stack's own PostgreSQL (``StackSpec.database == "postgres"``): where its cluster
lives, how the target and the harness reach it, how the harness knows it is ready.

Local backend: a "postgres" service (``postgres_server.py`` and the server, one process
group, recorded in the run directory like every other service, so a crashed run's cluster
is swept with it). Its cluster is in the run directory and goes with it. As root the
server runs as the ``postgres`` user (PostgreSQL refuses root); when that user cannot
reach the run directory (a private pytest temporary directory, say), the cluster goes to
a ``harness-postgres-*`` directory under the system temporary directory instead, removed
when the stack stops, and by a later run if the stack's owner was killed.

The superuser ``harness`` has a random password per run; the target connects over TCP
on 127.0.0.1 to the database ``target``; the database outage closes that database
(``postgres_outage.py``) over a session to the ``postgres`` database.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.errors import StackError
from harness.stack.ports import LOOPBACK
from harness.stack.rundir import RunDir
from harness.stack.spec import StackSpec
from harness.stack.wait import CallableWait, NotReady

POSTGRES = "postgres"
SERVER = Path(__file__).with_name("postgres_server.py")
SUPERUSER = "harness"
DATABASE = "target"
ADMIN_DATABASE = "postgres"
SERVER_USER = "postgres"  # the Debian package's system user
PG_ROOT = Path("/usr/lib/postgresql")
FALLBACK_PREFIX = "harness-postgres-"
READY_TIMEOUT = 60.0  # seconds: initdb, CREATE DATABASE and start, on a loaded machine
HINT = "make bootstrap installs PostgreSQL (Debian package postgresql) and psycopg"


def postgres_bindir() -> Path:
    """PostgreSQL's bin directory: $HARNESS_POSTGRES_BIN, else the newest Debian one."""
    override = os.environ.get("HARNESS_POSTGRES_BIN")
    found = [Path(override)] if override else []
    if not found and PG_ROOT.is_dir():
        versions = [p for p in PG_ROOT.iterdir() if re.fullmatch(r"\d+", p.name)]
        found = [p / "bin" for p in sorted(versions, key=lambda p: -int(p.name))]
    for bindir in found:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    where = override or f"{PG_ROOT}/<version>/bin"
    raise StackError(f"PostgreSQL is not installed (no initdb and postgres in {where}).", hint=HINT)


DATABASES = ("sqlite", "postgres")


def uses_postgres(spec: StackSpec) -> bool:
    """Whether the stack runs its own PostgreSQL; StackError for an unknown database."""
    if spec.database not in DATABASES:
        raise StackError(f"Unknown database {spec.database!r}: {' or '.join(DATABASES)}.")
    return spec.database == "postgres"


def require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StackError(
            "--database postgres needs psycopg in the harness's environment.",
            hint="pip install -e '.[postgres]' (make bootstrap does)",
        ) from None


def server_user() -> str | None:
    """Whom the server runs as: the postgres user when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise StackError(
            f"Running as root, and there is no {SERVER_USER!r} user to run PostgreSQL as.",
            hint=HINT,
        ) from None
    return SERVER_USER


def reachable_by(path: Path, user: str) -> bool:
    """Whether ``user`` may traverse every directory down to ``path``."""
    entry = pwd.getpwnam(user)
    groups = {entry.pw_gid, *os.getgrouplist(user, entry.pw_gid)}
    for directory in [path, *path.parents]:
        st = directory.stat()
        if st.st_uid == entry.pw_uid:
            allowed = st.st_mode & 0o100
        elif st.st_gid in groups:
            allowed = st.st_mode & 0o010
        else:
            allowed = st.st_mode & 0o001
        if not allowed:
            return False
    return True


def sweep_fallback_clusters() -> None:
    """Remove the temporary clusters of runs whose run directory is gone."""
    for base in Path(tempfile.gettempdir()).glob(FALLBACK_PREFIX + "*"):
        try:
            owner = Path((base / "run").read_text().strip())
        except OSError:
            continue  # being created, or not ours
        if not owner.exists():
            shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class PostgresAccess:
    """How the harness and the target reach the stack's PostgreSQL (either backend)."""

    port: int  # on 127.0.0.1, as the harness reaches it
    password: str  # of the superuser, random per run

    def url(self, host: str = LOOPBACK, port: int | None = None) -> str:
        """SQLAlchemy URL of the target database (as the target reaches it)."""
        where = f"{host}:{port or self.port}"
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@{where}/{DATABASE}"

    def conninfo(self, dbname: str = ADMIN_DATABASE) -> str:
        """libpq conninfo of a harness session (by default an admin one: another
        database of the cluster than the target's)."""
        return (
            f"host={LOOPBACK} port={self.port} user={SUPERUSER} "
            f"password={self.password} dbname={dbname} connect_timeout=5"
        )

    def ready(self, timeout: float = READY_TIMEOUT) -> CallableWait:
        """Ready when a session to the target database opens and answers."""

        def check() -> None:
            import psycopg

            try:
                with psycopg.connect(self.conninfo(DATABASE)) as conn:
                    conn.execute("SELECT 1")
            except psycopg.Error as exc:
                message = str(exc).strip() or type(exc).__name__
                raise NotReady(message.splitlines()[0]) from None

        where = f"postgresql://{LOOPBACK}:{self.port}/{DATABASE}"
        return CallableWait(check, where, timeout=timeout, poll_interval=0.05)


@dataclass(frozen=True)
class PostgresCluster(PostgresAccess):
    """The local backend's cluster: its directory and whom the server runs as."""

    base: Path = Path()
    user: str | None = None  # None: the server runs as the harness's own user
    temporary: bool = False  # base is outside the run directory (see remove())

    @classmethod
    def plan(cls, run: RunDir, port: int) -> PostgresCluster:
        """Choose the cluster's directory and write its password file (initdb reads it)."""
        require_psycopg()
        user = server_user()
        base = run.path / POSTGRES
        temporary = user is not None and not reachable_by(run.path, user)
        if temporary:
            sweep_fallback_clusters()
            base = Path(tempfile.mkdtemp(prefix=FALLBACK_PREFIX))
            (base / "run").write_text(f"{run.path}\n")
        base.mkdir(mode=0o700, exist_ok=True)
        cluster = cls(port, secrets.token_hex(16), base, user, temporary)
        password = base / "password"
        password.write_text(cluster.password + "\n")
        if user is not None:
            for path in (base, password):
                shutil.chown(path, user, user)
        return cluster

    def server_argv(self, bindir: Path) -> list[str]:
        argv = [sys.executable, str(SERVER), "--bin", str(bindir), "--base", str(self.base)]
        argv += ["--port", str(self.port)]
        return [*argv, "--user", self.user] if self.user is not None else argv

    def remove(self) -> None:
        """After the server has stopped: a cluster outside the run directory goes (one
        inside goes with the run directory)."""
        if self.temporary:
            shutil.rmtree(self.base, ignore_errors=True)
