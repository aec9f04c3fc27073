"""Secrets never reach a report: every spelling of a secret, in every file written."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from report_support import ROUTING_KEY, WEBHOOK, suite

from harness.report.redact import REDACTED, redact, spellings
from harness.report.writer import write_reports


def test_escaped_spellings_are_redacted() -> None:
    secret = 'k3y"with<odd>&chars/é'
    text = " ".join(
        [
            secret,
            json.dumps(secret),
            json.dumps(secret, ensure_ascii=False),
            quote(secret, safe=""),
            "&lt;odd&gt;",
        ]
    )
    out = redact(text, [secret, "ab"])  # too short to redact: would blank out words
    assert "odd>" not in out and "k3y" not in out
    assert out.count(REDACTED) == 4 and "ab" not in spellings("ab")


def test_longest_secret_wins() -> None:
    assert redact("abcdefgh", ["abcd", "abcdefgh"]) == REDACTED


def _all_text(directory: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    )


def test_no_secret_anywhere_under_the_report_directory(tmp_path: Path) -> None:
    written = write_reports(suite(tmp_path, secret_text=f"{ROUTING_KEY} {WEBHOOK}"))
    names = {p.name for p in written}
    assert {"report.json", "report.html", "junit.xml", "allure-results"} <= names
    text = _all_text(tmp_path)
    assert REDACTED in text or "&lt;redacted&gt;" in text
    for secret in (ROUTING_KEY, WEBHOOK):
        for form in spellings(secret):
            assert form not in text, form
