"""`harness tune` on the terminal (a rich table) and as JSON for tools.

One row per candidate, one column per scenario: the detection delay (or "missed") on a
scenario that must fire, firings and minutes firing on one that must stay quiet, with
the margin (peak minus threshold) when the expression is a comparison. ``*`` marks the
rule as written; ``ok`` the candidates that meet every expectation of every scenario.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from harness.tune.measure import Check
from harness.tune.run import TuneResult


def cell(checks: list[Check]) -> str:
    """A scenario's checks for one candidate, in a few words."""
    parts = []
    for c in checks:
        if c.kind == "resolves" and c.ok:
            continue
        text = c.detail if c.kind != "fires" or c.delay_s is None else f"fires {c.detail}"
        if c.margin is not None:
            text += f" {c.margin:+.3g}"
        parts.append(("" if c.ok else "✗ ") + text)
    return "; ".join(parts) or "-"


def by_scenario(result: TuneResult, index: int) -> dict[str, list[Check]]:
    out: dict[str, list[Check]] = {s: [] for s in result.scenarios}
    for check in result.checks[index]:
        out.setdefault(check.scenario, []).append(check)
    return out


def table(result: TuneResult) -> Table:
    k = result.time_scale
    t = Table(
        title=f"harness tune {result.alert}: {len(result.candidates)} candidates over "
        f"{len(result.scenarios)} recorded scenario(s) (k={k:g}, production time)",
        show_lines=False,
    )
    t.add_column("", no_wrap=True)
    t.add_column("candidate", no_wrap=True)
    for name in result.scenarios:
        t.add_column(name)
    t.add_column("meets all", no_wrap=True)
    for i, candidate in enumerate(result.candidates):
        cells = by_scenario(result, i)
        ok = result.meets_all(i)
        t.add_row(
            "*" if candidate.as_written else "",
            candidate.label,
            *[cell(cells[s]) for s in result.scenarios],
            "[green]ok[/]" if ok else "[red]no[/]",
        )
    return t


def print_table(result: TuneResult, console: Console | None = None) -> None:
    out = console or Console()
    out.print(table(result))
    valid = [c.label for i, c in enumerate(result.candidates) if result.meets_all(i)]
    out.print(f"* the rule as written ({result.written.name}); "
              f"{len(valid)} of {len(result.candidates)} candidates meet every expectation; "
              f"evaluated in {result.seconds:.1f} s")


def to_json(result: TuneResult) -> str:
    return json.dumps(result.to_dict(), indent=2)
