"""Engine, sessions and database metrics measured around every real statement.

Labels of db_queries_total / db_query_duration_seconds:
- model: the table name of the statement's main table (INSERT INTO / UPDATE / DELETE
  FROM / the first FROM of a SELECT); 'unknown' when there is none.
- operation: Prisma action names, as the spec's Prisma middleware reports them:
  data-access code names it with ``execution_options(operation=...)`` (findUnique,
  findMany, count, groupBy, aggregate, queryRaw, ...); otherwise it follows the SQL
  verb: SELECT -> findMany, INSERT -> create (executemany: createMany), UPDATE ->
  updateMany, DELETE -> deleteMany, anything else -> executeRaw.
- status: success | error (errors are counted, not timed, as in the spec). A call that
  fails because no connection could be opened (the server refuses or is gone) counts as
  an error too, as the spec's middleware around each Prisma call would: labelled with
  the call the session was making (``_PENDING``, set when the ORM executes or flushes).

SQLite (the default) runs in WAL mode with a busy timeout on every connection: the
API and the worker share the file, and without them baseline traffic produces lock
errors that look exactly like injected faults. The slow_db fault sleeps inside the
database (a registered SQL function on SQLite, pg_sleep on PostgreSQL) within the
timed scope of the statement it slows.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from harness.target.fault_state import Faults
from harness.target.metrics import TargetMetrics

log = logging.getLogger("harness.target.db")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 10_000
SLOW_QUERY_SECONDS = 1.0  # logged with its duration in ms
_VERB_OPERATION = {
    "SELECT": "findMany",
    "INSERT": "create",
    "UPDATE": "updateMany",
    "DELETE": "deleteMany",
    "WITH": "findMany",
}
_TABLE_PATTERNS = {
    "INSERT": re.compile(r"INSERT\s+(?:OR\s+\w+\s+)?INTO\s+[\"`]?(\w+)", re.I),
    "UPDATE": re.compile(r"UPDATE\s+[\"`]?(\w+)", re.I),
    "DELETE": re.compile(r"DELETE\s+FROM\s+[\"`]?(\w+)", re.I),
    "SELECT": re.compile(r"\bFROM\s+[\"`]?(\w+)", re.I),
}
_COUNT = re.compile(r"\s*SELECT\s+count\(", re.I)
_KEY = "harness_stmt"
# (model, operation) of the call the session is making: labels a failed connect.
_PENDING: ContextVar[tuple[str, str] | None] = ContextVar("harness_db_pending", default=None)
_CACHE_MAX = 2048


def classify(statement: str, executemany: bool = False) -> tuple[str, str]:
    """(model, operation) of a SQL statement, from its verb and main table."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    operation = _VERB_OPERATION.get(verb, "executeRaw")
    if verb == "INSERT" and executemany:
        operation = "createMany"
    pattern = _TABLE_PATTERNS.get("SELECT" if verb == "WITH" else verb)
    found = pattern.search(statement) if pattern else None
    if verb == "SELECT" and found is None:
        operation = "queryRaw"
    elif verb == "SELECT" and _COUNT.match(statement):
        operation = "count"
    return (found.group(1) if found else "unknown"), operation


class DbInstrumentation:
    """SQLAlchemy engine events that time statements and apply the slow_db fault."""

    def __init__(self, metrics: TargetMetrics | None, faults: Faults | None) -> None:
        self.metrics = metrics
        self.faults = faults
        self._classified: dict[tuple[str, bool], tuple[str, str]] = {}
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "handle_error", self._error)

    def _labels(self, statement: str, context: Any, executemany: bool) -> tuple[str, str]:
        key = (statement, executemany)
        found = self._classified.get(key)
        if found is None:
            found = classify(statement, executemany)
            if len(self._classified) < _CACHE_MAX:
                self._classified[key] = found
        explicit = context.execution_options.get("operation") if context is not None else None
        return (found[0], explicit) if explicit else found

    def _before(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        model, operation = self._labels(statement, context, executemany)
        started = (model, operation, time.perf_counter())
        if context is not None:
            context.harness_stmt = started
        else:
            conn.info[_KEY] = started
        if self.faults is not None and self.faults.slow_db_active:
            delay = self.faults.db_delay(model)
            if delay > 0:
                _sleep_in_database(cursor, delay, conn.dialect.name)

    # Same parameters as _before: SQLAlchemy's signature for its cursor-execute events.
    def _after(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        started = _pop_started(conn, context)
        if started is None or self.metrics is None:
            return
        model, operation, t0 = started
        children = self._children.get((model, operation))
        if children is None:
            m = self.metrics
            children = (
                m.db_queries.labels(model, operation, "success"),
                m.db_query_duration.labels(model, operation),
            )
            self._children[(model, operation)] = children
        elapsed = time.perf_counter() - t0
        children[0].inc()
        children[1].observe(elapsed)
        if elapsed >= SLOW_QUERY_SECONDS:  # the spec's LogQL: `| json | duration > 1000`
            log.warning(
                "slow query",
                extra={
                    "fields": {
                        "model": model,
                        "operation": operation,
                        "duration": round(elapsed * 1000, 1),
                    }
                },
            )

    def _error(self, ctx: ExceptionContext) -> None:
        started = None
        if ctx.connection is not None:
            started = _pop_started(ctx.connection, ctx.execution_context)
        if started is not None:
            model, operation = started[0], started[1]
        elif ctx.statement:
            model, operation = classify(ctx.statement)
        elif ctx.connection is None and not ctx.is_pre_ping:
            model, operation = _PENDING.get() or ("unknown", "queryRaw")  # connecting
        else:
            return  # a failed pre-ping: the pool reconnects, the call has not failed
        if self.metrics is not None:
            self.metrics.db_queries.labels(model, operation, "error").inc()


def _remember_orm_call(state: ORMExecuteState) -> None:
    """The (model, operation) of the ORM call about to need a connection."""
    mapper = state.bind_mapper
    table = getattr(mapper.local_table, "name", None) if mapper is not None else None
    operation = state.execution_options.get("operation")
    if not operation:
        kinds = (state.is_select, state.is_insert, state.is_update, state.is_delete)
        names = ("findMany", "create", "updateMany", "deleteMany")
        operation = next((n for kind, n in zip(kinds, names, strict=True) if kind), "executeRaw")
    _PENDING.set((table or "unknown", operation))


def _remember_flush(session: Session, _context: Any, _instances: Any) -> None:
    """A flush writes the session's new (create), changed (update) or deleted rows."""
    for rows, operation in ((session.new, "create"), (session.dirty, "update"),
                            (session.deleted, "delete")):
        for row in rows:
            _PENDING.set((getattr(row, "__tablename__", "unknown"), operation))
            return


def _pop_started(conn: Any, context: Any) -> tuple[str, str, float] | None:
    if context is not None:
        started: tuple[str, str, float] | None = context.__dict__.pop("harness_stmt", None)
        if started is not None:
            return started
    return conn.info.pop(_KEY, None)


def _sqlite_sleep(seconds: float) -> int:
    time.sleep(float(seconds))
    return 1


def _sleep_in_database(cursor: Any, seconds: float, dialect: str) -> None:
    sql = "SELECT pg_sleep(%s)" if dialect == "postgresql" else "SELECT harness_sleep(?)"
    side = cursor.connection.cursor()
    try:
        side.execute(sql, (seconds,))
        side.fetchall()
    finally:
        side.close()


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()
    dbapi_conn.create_function("harness_sleep", 1, _sqlite_sleep)


def make_engine(
    url: str,
    *,
    metrics: TargetMetrics | None = None,
    faults: Faults | None = None,
    instrument: bool = True,
) -> Engine:
    """An engine for ``url`` (SQLite file or PostgreSQL), instrumented unless told not to."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=10,
            max_overflow=30,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    if instrument:
        DbInstrumentation(metrics, faults).attach(engine)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "do_orm_execute", _remember_orm_call)
    event.listen(factory, "before_flush", _remember_flush)
    return factory


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed on success and rolled back on error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def in_transaction(
    factory: sessionmaker[Session], fn: Callable[..., T], *args: Any, **kw: Any
) -> T:
    """``fn(session, *args, **kw)`` in one session_scope (the API and worker run it in a thread)."""
    with session_scope(factory) as session:
        return fn(session, *args, **kw)


def ping(engine: Engine) -> None:
    """The health check's round trip, labelled queryRaw: the spec's SELECT 1 on PostgreSQL,
    where any statement needs the server. SQLite answers SELECT 1 without reading the file,
    so a pooled connection passed it during the stack's database outage (WAL locks held)
    and readiness followed the pool's luck; PRAGMA schema_version reads the file."""
    _PENDING.set(("unknown", "queryRaw"))
    sql = "PRAGMA schema_version" if engine.dialect.name == "sqlite" else "SELECT 1"
    with engine.connect() as conn:
        conn.execution_options(operation="queryRaw").execute(text(sql))
