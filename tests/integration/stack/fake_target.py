"""Stand-in for harness.target.{dbinit,worker,api} in stack tests.

python fake_target.py dbinit                 -> exits 0 (FAKE_DBINIT_EXIT to fail)
python fake_target.py api --host H --port P  -> serves GET /metrics with 200
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/metrics":
            self.send_error(404)
            return
        body = b"# TYPE fake_up gauge\nfake_up 1\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["dbinit", "worker", "api"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.role == "dbinit":
        print("fake dbinit", os.environ.get("TARGET_DATABASE_URL"))
        return int(os.environ.get("FAKE_DBINIT_EXIT", "0"))
    for key in ("TARGET_REDIS_URL", "TARGET_FAULT_TOKEN", "TARGET_WORKER_CONTROL_URL"):
        print(f"{key}={os.environ.get(key)}", flush=True)
    time.sleep(float(os.environ.get("FAKE_START_DELAY", "0")))
    server = ThreadingHTTPServer((args.host, args.port), _Handler)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
