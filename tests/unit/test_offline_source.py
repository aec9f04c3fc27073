"""The HTTP data source against a scripted local server: chunking, the query cap,
credentials passed through, retries, and each failure as one SourceError."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from harness.errors import HarnessError
from harness.offline.source import PrometheusSource, SourceError, SourceOptions, chunks
from harness.stack.ports import free_port


@dataclass
class Script:
    """Answers to give, in order (the last one repeats), and the requests seen."""

    answers: list[tuple[int, Any]] = field(default_factory=list)
    seen: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)


def matrix_answer(params: dict[str, str]) -> dict[str, Any]:
    """One series with a point at each step of the request's range."""
    start, end, step = (float(params[k]) for k in ("start", "end", "step"))
    points, t = [], start
    while t <= end + 1e-9:
        points.append([t, str(t % 7)])
        t += step
    result = [{"metric": {"job": "api"}, "values": points}]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            script.seen.append((parsed.path, params, dict(self.headers)))
            status, body = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
            data = matrix_answer(params) if body == "matrix" else body
            raw = data.encode() if isinstance(data, str) else json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def source(url: str, **options: Any) -> PrometheusSource:
    return PrometheusSource(SourceOptions(url=url, backoff_s=0.01, **options))


def test_chunks_never_exceed_the_points_cap_and_never_overlap() -> None:
    assert chunks(0, 10_000, 1000, 4) == [(0, 3000), (4000, 7000), (8000, 10_000)]
    assert chunks(0, 999, 1000, 4) == [(0, 0)]
    assert chunks(0, 3000, 1000, 4) == [(0, 3000)]
    assert chunks(5, 4, 1000, 4) == []


def test_a_range_is_queried_in_chunks_and_merged(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, "matrix")]
    progress: list[tuple[int, int]] = []
    src = PrometheusSource(
        SourceOptions(url=url, max_points=3), progress=lambda d, t: progress.append((d, t))
    )
    [series] = src.range_query("up", 1_000_000, 1_007_500, 1500)
    assert src.queries == len(script.seen) == 2
    assert [s[0] for s in script.seen] == ["/api/v1/query_range"] * 2
    assert [(s[1]["start"], s[1]["end"], s[1]["step"]) for s in script.seen] == [
        ("1000", "1003", "1.500"),
        ("1004.500", "1007.500", "1.500"),
    ]
    assert [t for t, _ in series.points] == [1_000_000 + i * 1500 for i in range(6)]
    assert series.labels == {"job": "api"}
    assert progress == [(1, 2), (2, 2)]


def test_the_query_cap_is_checked_before_anything_is_sent(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, "matrix")]
    src = source(url, max_points=2, max_queries=2)
    with pytest.raises(SourceError, match=r"needs 3 range queries .* cap of 2"):
        src.range_query("up", 0, 4000, 1000)
    assert script.seen == []


def test_credentials_and_headers_are_passed_through(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, "matrix")]
    source(url, bearer_token="s3cret", headers={"X-Scope-OrgID": "team"}).range_query(
        "up", 0, 0, 1000
    )
    headers = script.seen[0][2]
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["X-Scope-OrgID"] == "team"


def test_a_bad_gateway_is_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(502, "bad gateway"), (200, "matrix")]
    src = source(url)
    assert src.range_query("up", 0, 0, 1000)
    assert (src.queries, len(script.seen)) == (1, 2)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (401, "Unauthorized", "refused access \\(HTTP 401\\)"),
        (403, {"status": "error", "error": "no"}, "refused access \\(HTTP 403\\): no"),
        (
            400,
            {"status": "error", "errorType": "bad_data", "error": "parse error at char 3"},
            "refused the query 'up' \\(HTTP 400\\): parse error at char 3",
        ),
        (
            503,
            {"status": "error", "errorType": "timeout", "error": "query timed out in x"},
            "gave up on the query 'up': query timed out",
        ),
        (200, "<html>login</html>", "not a Prometheus query API answer"),
    ],
)
def test_each_failure_is_one_harness_error(
    server: tuple[str, Script], status: int, body: Any, message: str
) -> None:
    url, script = server
    script.answers = [(status, body)]
    with pytest.raises(SourceError, match=message) as caught:
        source(url, retries=0).range_query("up", 0, 0, 1000)
    assert isinstance(caught.value, HarnessError) and caught.value.exit_code == 2


def test_an_unreachable_url_is_one_harness_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SourceError, match=f"Cannot reach a Prometheus API at {url}"):
        source(url, retries=1).range_query("up", 0, 0, 1000)


def test_tls_and_basic_auth_options_reach_the_session() -> None:
    options = SourceOptions(
        url="https://prom.example:9090",
        ca_file="/etc/ca.pem",
        client_cert=("/etc/c.pem", "/etc/k.pem"),
        basic_auth=("u", "p"),
    )
    session = PrometheusSource(options).session
    assert session.verify == "/etc/ca.pem"
    assert session.cert == ("/etc/c.pem", "/etc/k.pem")
    assert session.auth == ("u", "p")
    assert session.trust_env  # a remote server: environment proxies apply
    insecure = PrometheusSource(SourceOptions(url="http://127.0.0.1:1", insecure_skip_verify=True))
    assert insecure.session.verify is False
    assert not insecure.session.trust_env  # loopback: never through a proxy
