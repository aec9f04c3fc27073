"""Inline control, in the rule file itself, as pint users expect:

    - alert: DiskWillFill
      # harness-lint disable=for-missing,rate-threshold-units
      expr: ...

A `# harness-lint disable=<check-id>[,<check-id>...]` comment on a rule's lines (from
its `- alert:`/`- record:` line to the line before the next rule), or on the line just
above it, silences those checks for that rule. Before the first group it applies to
the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from harness.lint.model import Finding

_DISABLE = re.compile(r"#\s*harness-lint\s+disable\s*=\s*([\w,\s-]+)")
_RULE_START = re.compile(r"^\s*-\s*(alert|record)\s*:")
_GROUPS = re.compile(r"^\s*groups\s*:")


def disabled_by_line(text: str) -> tuple[frozenset[str], list[tuple[int, int, frozenset[str]]]]:
    """(checks off for the whole file, [(first line, last line, checks off)] per rule)."""
    lines = text.splitlines()
    starts = [i + 1 for i, ln in enumerate(lines) if _RULE_START.match(ln)]
    first_group = next((i + 1 for i, ln in enumerate(lines) if _GROUPS.match(ln)), 0)
    whole = _ids(lines[:max(first_group - 1, 0)])
    spans = []
    for k, start in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        ids = _ids(lines[max(start - 2, 0):end])  # the line above the rule, and the rule
        if ids:
            spans.append((start, end, ids))
    return whole, spans


def _ids(lines: Sequence[str]) -> frozenset[str]:
    found: set[str] = set()
    for line in lines:
        for match in _DISABLE.finditer(line):
            found |= {x.strip() for x in match.group(1).split(",") if x.strip()}
    return frozenset(found)


def suppressed(findings: list[Finding], text: str) -> list[Finding]:
    """The findings no inline comment disables."""
    if "harness-lint" not in text:
        return findings
    whole, spans = disabled_by_line(text)

    def off(f: Finding) -> bool:
        if f.check in whole:
            return True
        return f.line is not None and any(
            a <= f.line <= b and f.check in ids for a, b, ids in spans)

    return [f for f in findings if not off(f)]
