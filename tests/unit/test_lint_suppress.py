"""pint-style inline control: ignore/line, ignore/next-line, ignore/begin..end,
ignore/file, snooze until a day, and rules started by a YAML anchor or merge key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from harness.lint import LintOptions, lint_paths
from harness.lint.suppress import read_control, suppressed

TWO = """\
groups:
  - name: g
    rules:
{first}      - alert: Flapping
        expr: sum(rate(http_requests_total[5m])) > 1{same}
{second}      - alert: AlsoFlapping
        expr: sum(rate(http_requests_total[5m])) > 2
{end}"""


def _lines(tmp_path: Path, **parts: str) -> list[int | None]:
    text = TWO.format(**{"first": "", "same": "", "second": "", "end": "", **parts})
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    report = lint_paths([path], LintOptions(tools=False))
    assert all(f.check == "for-missing" for f in report.findings)
    return [f.line for f in report.findings]


def test_without_comments_both_rules_are_reported(tmp_path: Path) -> None:
    assert _lines(tmp_path) == [4, 6]


@pytest.mark.parametrize(("parts", "left"), [
    ({"first": "      # harness-lint ignore/next-line\n"}, [7]),
    ({"second": "      # harness-lint ignore/begin\n", "end": "# harness-lint ignore/end\n"},
     [4]),
    ({"second": "      # harness-lint ignore/begin\n"}, [4]),  # no end: to the end of file
    ({"first": "      # harness-lint ignore/file\n"}, []),
])
def test_ignore_comments(tmp_path: Path, parts: dict[str, str], left: list[int]) -> None:
    assert _lines(tmp_path, **parts) == left


def test_ignore_line_on_the_rule_line(tmp_path: Path) -> None:
    text = TWO.format(first="", same="", second="", end="").replace(
        "- alert: Flapping", "- alert: Flapping  # harness-lint ignore/line")
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    assert [f.line for f in lint_paths([path], LintOptions(tools=False)).findings] == [6]


@pytest.mark.parametrize("comment", [
    "# harness-lint snooze for-missing until {day}",
    "# harness-lint snooze {day} for-missing",  # pint's order
])
def test_snooze_until_a_day(tmp_path: Path, comment: str) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(TWO.format(first="", same="", second="", end=""), encoding="utf-8")
    findings = lint_paths([path], LintOptions(tools=False)).findings
    text = TWO.format(first="", same=f"  {comment.format(day='2027-03-01')}", second="",
                      end="")  # on the first rule's expr line: no line moves
    for today, lines in ((dt.date(2027, 3, 1), [6]), (dt.date(2027, 3, 2), [4, 6])):
        assert [f.line for f in suppressed(findings, text, today)] == lines


def test_rules_started_by_an_anchor_or_a_merge_key_have_their_own_span() -> None:
    text = """\
groups:
  - name: g
    rules:
      - &base
        alert: A
        # harness-lint disable=for-missing
        expr: x > 1
      - <<: *base
        expr: y > 1
"""
    control = read_control(text)
    assert control.spans == [(4, 7, frozenset({"for-missing"}))]
