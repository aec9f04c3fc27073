"""Inline control, in the rule file itself, as pint users expect:

    - alert: DiskWillFill
      # harness-lint disable=for-missing,rate-threshold-units
      # harness-lint snooze for-missing until 2027-01-31
      expr: ...   # harness-lint ignore/line

- `# harness-lint disable=<check-id>[,<check-id>...]` on a rule's lines (from its
  `- alert:`/`- record:` line, or the `- <<: *anchor` / `- &anchor` line that starts
  it, to the line before the next rule), or on the line just above it, silences those
  checks for that rule. Before the first group it applies to the whole file.
- `# harness-lint snooze <check-id> until YYYY-MM-DD` (or pint's order, `snooze
  YYYY-MM-DD <check-id>`): the same, until that day (UTC) has passed.
- `# harness-lint ignore/line` (findings on this line), `ignore/next-line`,
  `ignore/begin` ... `ignore/end` (findings on the lines between), `ignore/file`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.lint.model import Finding

_DISABLE = re.compile(r"#\s*harness-lint\s+disable\s*=\s*([\w,\s-]+)")
_SNOOZE = re.compile(r"#\s*harness-lint\s+snooze\s+(?:([\w-]+)\s+until\s+(\d{4}-\d\d-\d\d)"
                     r"|(\d{4}-\d\d-\d\d)\s+([\w-]+))")
_IGNORE = re.compile(r"#\s*harness-lint\s+ignore/(line|next-line|begin|end|file)\b")
_RULE_START = re.compile(r"^\s*-\s*(&\S+\s*$|(&\S+\s+)?(alert|record|<<)\s*:)")
_GROUPS = re.compile(r"^\s*groups\s*:")


@dataclass
class Control:
    """What the comments of one file switch off."""

    whole: frozenset[str] = frozenset()  # checks off for the whole file
    spans: list[tuple[int, int, frozenset[str]]] = field(default_factory=list)  # per rule
    lines: set[int] = field(default_factory=set)  # lines whose findings are ignored
    everything: bool = False  # ignore/file


def read_control(text: str, today: dt.date | None = None) -> Control:
    today = today or dt.datetime.now(dt.UTC).date()
    lines = text.splitlines()
    starts = [i + 1 for i, ln in enumerate(lines) if _RULE_START.match(ln)]
    first_group = next((i + 1 for i, ln in enumerate(lines) if _GROUPS.match(ln)), 0)
    control = Control(whole=_ids(lines[:max(first_group - 1, 0)], today))
    for k, start in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        above = lines[start - 2:start - 1] if start >= 2 else []
        above = [ln for ln in above if ln.lstrip().startswith("#")]  # a comment line only
        ids = _ids([*above, *lines[start - 1:end]], today)
        if ids:
            control.spans.append((start, end, ids))
    begin: int | None = None
    for number, line in enumerate(lines, start=1):
        for match in _IGNORE.finditer(line):
            what = match.group(1)
            if what == "line":
                control.lines.add(number)
            elif what == "next-line":
                control.lines.add(number + 1)
            elif what == "begin":
                begin = number
            elif what == "end" and begin is not None:
                control.lines |= set(range(begin, number + 1))
                begin = None
            elif what == "file":
                control.everything = True
    if begin is not None:  # an ignore/begin never ended: to the end of the file
        control.lines |= set(range(begin, len(lines) + 1))
    return control


def _ids(lines: Sequence[str], today: dt.date) -> frozenset[str]:
    found: set[str] = set()
    for line in lines:
        for match in _DISABLE.finditer(line):
            found |= {x.strip() for x in match.group(1).split(",") if x.strip()}
        for match in _SNOOZE.finditer(line):
            check = match.group(1) or match.group(4)
            until = match.group(2) or match.group(3)
            try:
                if today <= dt.date.fromisoformat(until):
                    found.add(check)
            except ValueError:
                continue  # not a date: the snooze has no effect
    return frozenset(found)


def suppressed(findings: list[Finding], text: str, today: dt.date | None = None) -> list[Finding]:
    """The findings no inline comment disables, snoozes or ignores."""
    if "harness-lint" not in text:
        return findings
    control = read_control(text, today)
    if control.everything:
        return []

    def off(f: Finding) -> bool:
        if f.check in control.whole:
            return True
        return f.line is not None and (f.line in control.lines or any(
            a <= f.line <= b and f.check in ids for a, b, ids in control.spans))

    return [f for f in findings if not off(f)]
