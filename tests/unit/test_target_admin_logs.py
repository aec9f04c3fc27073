"""Log search of the System Admin page: the spec's LogQL examples as filters over the
target's JSON log lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.target.admin.logsearch import QueryError, parse_log_files, parse_query, search

LINES: dict[str, list[dict[str, object]]] = {
    "api": [
        {"timestamp": "2026-12-04T10:00:01.000Z", "level": "info", "message": "api started"},
        {"timestamp": "2026-12-04T10:00:02.000Z", "level": "error", "message": "request failed",
         "userId": "user-123", "route": "/api/schools", "status_code": 500, "duration": 3.2,
         "error": "injected fault"},
        {"timestamp": "2026-12-04T10:00:04.000Z", "level": "warning", "message": "login failed",
         "action": "LOGIN_FAILED", "userId": "eve"},
        {"timestamp": "2026-12-04T10:00:05.000Z", "level": "error", "message": "request failed",
         "userId": "user-9", "route": "/api/interventions", "status_code": 503,
         "duration": 1250.0},
    ],
    "worker": [
        {"timestamp": "2026-12-04T10:00:03.000Z", "level": "error", "message": "job failed",
         "queue": "notifications"},
    ],
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, entries in LINES.items():
        path = tmp_path / f"{name}.log"
        text = "\n".join(json.dumps(e) for e in entries) + "\nnot json at all\n"
        path.write_text(text)
        out[name] = path
    return out


def _messages(files: dict[str, Path], query: str) -> list[tuple[str, str]]:
    hits = search(files, parse_query(query))["entries"]
    return [(h["source"], h["entry"]["timestamp"]) for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('|= "error"', [("api", "10:00:05"), ("worker", "10:00:03"), ("api", "10:00:02")]),
        ('{app="skillcore-api"} | json | userId="user-123"', []),  # no service field here
        ('| json | userId="user-123"', [("api", "10:00:02")]),
        ("| json | duration > 1000", [("api", "10:00:05")]),
        ('| json | action="LOGIN_FAILED"', [("api", "10:00:04")]),
        ('| json | status_code =~ "5.."', [("api", "10:00:05"), ("api", "10:00:02")]),
        ('| json | status_code =~ "5.." | route != "/api/schools"', [("api", "10:00:05")]),
        ('|~ "inter(vention)s" != "started"', [("api", "10:00:05")]),
        ("injected fault", [("api", "10:00:02")]),
    ],
)
def test_spec_queries(files: dict[str, Path], query: str, expected: list[tuple[str, str]]) -> None:
    found = [(s, t[11:19]) for s, t in _messages(files, query)]
    assert found == expected


def test_empty_query_lists_everything_newest_first(files: dict[str, Path]) -> None:
    result = search(files, parse_query(""), limit=3)
    assert result["matched"] == 7 and result["scanned"] == 7
    assert result["entries"][0]["entry"]["timestamp"].endswith("05.000Z")
    assert len(result["entries"]) == 3


def test_missing_file_is_reported(files: dict[str, Path], tmp_path: Path) -> None:
    result = search({**files, "gone": tmp_path / "nope.log"}, parse_query('|= "error"'))
    assert result["missing"] == ["gone"] and result["matched"] == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("| logfmt", "character 3: .logfmt"),
        ('| json | duration > "x"', "needs a number"),
        ('|~ "("', "bad regular expression"),
        ("{app~x}", "stream selector"),
    ],
)
def test_bad_queries_say_where(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def test_log_files_setting() -> None:
    assert parse_log_files("api=/a/api.log:worker=/w.log", ":") == {
        "api": Path("/a/api.log"), "worker": Path("/w.log")}
    assert parse_log_files("", ":") == {}
    with pytest.raises(ValueError, match="name=path"):
        parse_log_files("/just/a/path", ":")
