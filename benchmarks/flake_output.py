"""The flake benchmark's output: flake.json (every number) and flake.md (the short table)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.flake_analysis import NEAR_EDGE, Expectation

CLOSEST = 10  # quiet approaches listed in flake.md


def summary(expectations: Sequence[Expectation]) -> dict[str, Any]:
    """The headline counts."""
    return {
        "expectations": len(expectations),
        "flipped": sum(e.flipped for e in expectations),
        "near_edge": sum(e.near_edge for e in expectations),
        "narrow_window": sum(e.narrow for e in expectations),
        "sampling_window": sum(e.sampled and not e.narrow for e in expectations),
        "quiet_with_approach": sum(
            (e.closest() or {}).get("value") is not None for e in quiet_ranked(expectations)
        ),
    }


def quiet_ranked(expectations: Sequence[Expectation]) -> list[Expectation]:
    """``never_fires`` expectations by closest approach, nearest to the threshold first
    (those without a ratio, e.g. a ``<`` threshold of 0, last)."""
    quiet = [e for e in expectations if e.check == "never_fires" and e.closest()]

    def rank(e: Expectation) -> tuple[int, float]:
        a = e.closest() or {}
        if a.get("ratio") is not None:
            return (0, -a["ratio"])
        return (1, 0.0) if a.get("value") is not None else (2, 0.0)

    return sorted(quiet, key=rank)


def write_outputs(
    out_dir: Path, meta: dict[str, Any], expectations: Sequence[Expectation]
) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {
        **meta,
        "near_edge_threshold_E": NEAR_EDGE,
        "summary": summary(expectations),
        "expectations": [e.to_dict() for e in expectations],
    }
    js = out_dir / "flake.json"
    js.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    md = out_dir / "flake.md"
    md.write_text(markdown(meta, expectations), encoding="utf-8")
    return js, md


def markdown(meta: dict[str, Any], expectations: Sequence[Expectation]) -> str:
    counts = summary(expectations)
    lines = [
        f"# Flake benchmark ({meta['when']})",
        "",
        f"{len(meta['runs'])} runs; busy core (stress-ng --cpu 1): "
        f"{'yes' if meta.get('busy_core') else 'no'}; selection: {meta.get('selection', '-')}; "
        f"load average at start {_load(meta.get('load_start'))}, at end "
        f"{_load(meta.get('load_end'))}.",
        f"{counts['expectations']} expectations: {counts['flipped']} flipped, "
        f"{counts['near_edge']} within {NEAR_EDGE:g} evaluation interval of an edge.",
        "",
        *_runs_table(meta["runs"]),
        *_flipped_table(expectations),
        *_edge_table(expectations),
        *_narrow_table(expectations),
        *_sampled_table(expectations),
        *_quiet_table(expectations),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _load(value: Any) -> str:
    return " / ".join(f"{x:g}" for x in value) if value else "-"


def _runs_table(runs: Sequence[dict[str, Any]]) -> list[str]:
    lines = ["| run | wall s | exit | failed verdicts | load start | load end |",
             "| --- | ---: | ---: | ---: | --- | --- |"]  # fmt: skip
    for i, r in enumerate(runs, 1):
        lines.append(
            f"| {i} | {r.get('wall_s', '-')} | {_or_dash(r.get('exit_code'))} | "
            f"{r.get('failed_verdicts', '-')} | {_load(r.get('load_start'))} | "
            f"{_load(r.get('load_end'))} |"
        )
    return [*lines, ""]


def _flipped_table(expectations: Sequence[Expectation]) -> list[str]:
    rows = [e for e in expectations if e.flipped]
    lines = [f"## Flipped ({len(rows)})", ""]
    if not rows:
        return [*lines, "None.", ""]
    lines += ["| scenario | expectation | check | outcome per run |", "| --- | --- | --- | --- |"]
    for e in rows:
        outcomes = ", ".join(o or "absent" for o in e.outcomes())
        lines.append(f"| {e.scenario} | {_cell(e.subject)} | {e.check} | {outcomes} |")
    return [*lines, ""]


def _edge_table(expectations: Sequence[Expectation]) -> list[str]:
    rows = [e for e in expectations if e.near_edge]
    lines = [f"## Within {NEAR_EDGE:g} evaluation interval of an edge ({len(rows)})", ""]
    if not rows:
        return [*lines, "None.", ""]
    lines += [
        "| scenario | expectation | check | E s | min to early edge (E) | min to late edge (E) "
        "| min margin s |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for e in rows:
        lines.append(
            f"| {e.scenario} | {_cell(e.subject)} | {e.check} | {e.evaluation_s:g} | "
            f"{_num(e.min_edge('to_early_edge_E'))} | {_num(e.min_edge('to_late_edge_E'))} | "
            f"{_num(e.min_edge('margin_s'))} |"
        )
    return [*lines, ""]


def _narrow_table(expectations: Sequence[Expectation]) -> list[str]:
    """Windows no wider than 2 E (Alertmanager's FiredAt + GW is a point): told apart
    from the near-edge list, with their margin to the judged edges (slack included)."""
    rows = [e for e in expectations if e.narrow]
    if not rows:
        return []
    lines = [
        f"## Windows no wider than {2 * NEAR_EDGE:g} E ({len(rows)}): their margin is the slack",
        "",
        "| scenario | expectation | check | window s | slack s | min margin s |",
        "| --- | --- | --- | --- | ---: | ---: |",
    ]
    for e in rows:
        window, last = _last_window(e)
        lines.append(
            f"| {e.scenario} | {_cell(e.subject)} | {e.check} | {window} | "
            f"{last.get('slack_s')} | {_num(e.min_edge('margin_s'))} |"
        )
    return [*lines, ""]


def _sampled_table(expectations: Sequence[Expectation]) -> list[str]:
    """Windows only as wide as their sampling phases (``Expectation.sampled``), with where
    the event fell (a phase draw) and the margin to the judged edges."""
    rows = [e for e in expectations if e.sampled and not e.narrow]
    if not rows:
        return []
    lines = [
        f"## Windows as wide as their sampling phases ({len(rows)}): where the event falls "
        "is a draw of the collection, scrape and evaluation phases; their margin is the slack",
        "",
        "| scenario | expectation | check | window s | min to early edge (E) "
        "| min to late edge (E) | min margin s |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for e in rows:
        window, _ = _last_window(e)
        lines.append(
            f"| {e.scenario} | {_cell(e.subject)} | {e.check} | {window} | "
            f"{_num(e.min_edge('to_early_edge_E'))} | {_num(e.min_edge('to_late_edge_E'))} | "
            f"{_num(e.min_edge('margin_s'))} |"
        )
    return [*lines, ""]


def _quiet_table(expectations: Sequence[Expectation]) -> list[str]:
    rows = quiet_ranked(expectations)[:CLOSEST]
    lines = [f"## Closest quiet approaches (top {CLOSEST})", ""]
    if not rows:
        return [*lines, "None (no never_fires expectation with a charted threshold).", ""]
    lines += ["| scenario | expectation | peak | fires at | of threshold | at s |",
              "| --- | --- | ---: | --- | ---: | ---: |"]  # fmt: skip
    for e in rows:
        a = e.closest() or {}
        if a.get("value") is None:
            lines.append(f"| {e.scenario} | {_cell(e.subject)} | - | {a.get('reason')} | - | - |")
            continue
        share = f"{a['ratio']:.0%}" if a.get("ratio") is not None else "-"
        lines.append(
            f"| {e.scenario} | {_cell(e.subject)} | {a['value']:.4g} | "
            f"{a['op']} {a['threshold']:g} | {share} | {a['at_s']} |"
        )
    return [*lines, ""]


def _last_window(e: Expectation) -> tuple[str, dict[str, Any]]:
    """The window of the last run that had one, as '[a, b]' (seconds, 2 decimals), and
    that run's observation."""
    last = next(r for r in reversed(e.runs) if r and r.get("window_s"))
    return "[" + ", ".join(f"{round(x, 2):g}" for x in last["window_s"]) + "]", last


def _or_dash(value: Any) -> str:
    return "-" if value is None else str(value)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _cell(text: str) -> str:
    return text.replace("|", "/")
