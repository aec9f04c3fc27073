"""``python -m harness.target.api --host 127.0.0.1 --port P``: the API process.

One uvicorn worker, access log off, JSON logs on stderr. Ready when GET /health
answers 200. SIGTERM/SIGINT: graceful stop, exit status 0.
"""

from __future__ import annotations

import sys

from harness.target.app import create_app
from harness.target.runtime import bootstrap, make_server, parse_address
from harness.target.settings import Settings


def main(argv: list[str] | None = None) -> int:
    host, port = parse_address("python -m harness.target.api", __doc__, 8000, argv)
    settings = Settings()
    registry = bootstrap(settings)
    server = make_server(create_app(settings, registry), host, port, settings.log_level)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
