"""``python -m harness.target.dbinit``: create the schema and seed it (once).

Run before the API and the worker start, so the two never race on ``create_all``.
Idempotent: an already seeded database is left as it is (``--reset`` drops it first).
Exit 0 on success, 2 with one line on stderr when the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from harness.target.db import make_engine, make_sessionmaker, session_scope
from harness.target.models import Base
from harness.target.seed import SeedPlan, is_seeded, seed
from harness.target.settings import Settings


def init_database(url: str, plan: SeedPlan, *, reset: bool = False) -> dict[str, int]:
    """Create tables and seed an empty database. Returns the seeded row counts ({} if none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url, instrument=False)
    try:
        if reset:
            Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as session:
            if is_seeded(session):
                return {}
            return seed(session, plan)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.target.dbinit", description=__doc__)
    parser.add_argument("--database-url", help="default: TARGET_DATABASE_URL or the state dir")
    parser.add_argument("--reset", action="store_true", help="drop every table first")
    parser.add_argument("--seed", type=int, default=SeedPlan.seed)
    parser.add_argument("--tenants", type=int, default=SeedPlan.tenants)
    parser.add_argument("--students-per-school", type=int, default=SeedPlan.students_per_school)
    args = parser.parse_args(argv)
    url = args.database_url or Settings().database_url
    plan = SeedPlan(
        seed=args.seed, tenants=args.tenants, students_per_school=args.students_per_school
    )
    try:
        counts = init_database(url, plan, reset=args.reset)
    except (SQLAlchemyError, OSError) as exc:
        print(f"dbinit: cannot initialise {url}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"database_url": url, "seeded": counts or "already seeded"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
