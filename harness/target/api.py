"""``python -m harness.target.api --host 127.0.0.1 --port P``: the API process.

One uvicorn worker, access log off, JSON logs on stderr. Ready when GET /health
answers 200. SIGTERM/SIGINT: graceful stop, exit status 0.
"""

from __future__ import annotations

import argparse
import sys

from harness.target.app import create_app
from harness.target.runtime import bootstrap, make_server
from harness.target.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.target.api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    settings = Settings()
    registry = bootstrap(settings)
    server = make_server(create_app(settings, registry), args.host, args.port, settings.log_level)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
