"""Rewrite a rule file for time scale k: every duration that shapes an alert divided by k.

Scaled: range windows, subquery ranges and steps, offsets (through the PromQL AST, see
``rewrite``), ``for``, ``keep_firing_for`` and the group ``interval``. Not scaled:
values and thresholds (docs/TIMING.md, "Time scale"). Refused: a k that leaves a range
window with fewer than 4 scrapes (W < 4*S). Warned: every duration written as a number
(predict_linear's horizon, clock and timestamp comparisons, `7*24*60*60`, alerts over a
recorded age) and counts over a window (``harness.rules.numbers``), and durations
rounded to whole milliseconds.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.durations import format_ms, format_seconds
from harness.errors import RuleError
from harness.rules import promql
from harness.rules.load import load_rules
from harness.rules.model import AlertRule, RecordingRule, RuleFile
from harness.rules.numbers import WrittenNumber, is_time_valued, numbers_in, rewrite_numbers
from harness.rules.rewrite import ScaledExpression, scale_expression

MIN_SCRAPES_PER_WINDOW = 4  # docs/TIMING.md: rate()/increase() need W >= 4*S


@dataclass(frozen=True)
class ScaledRules:
    yaml_text: str
    factor: float
    scrape_interval_s: float
    source: Path
    warnings: tuple[str, ...] = ()


def scale_rules(
    rules: RuleFile | Path | str, factor: float, *, scrape_interval_s: float = 1.0,
    scale_numbers: bool = False, per_second: bool = False,
) -> ScaledRules:
    """The rule file rewritten for time scale ``factor``, as YAML text, with warnings.
    ``scale_numbers``: durations written as numbers are divided too (each one noted).
    ``per_second``: per-second functions divided by ``factor`` (for replayed data)."""
    rule_file = rules if isinstance(rules, RuleFile) else load_rules(rules)
    if not (factor > 0 and math.isfinite(factor)):
        raise RuleError(
            f"time scale must be a positive number, got {factor!r}", path=rule_file.source
        )
    if not scrape_interval_s > 0:
        raise RuleError(f"scrape interval must be positive, got {scrape_interval_s!r}")
    document = copy.deepcopy(rule_file.document)
    warnings: list[str] = []
    recorded = recorded_durations(rule_file)
    for g, group in enumerate(rule_file.groups):
        raw_group = document["groups"][g]
        if group.interval_s is not None:
            raw_group["interval"] = _scaled_duration(
                group.interval_s, factor, warnings, f"group {group.name!r} interval"
            )
        for r, rule in enumerate(group.rules):
            raw_rule = raw_group["rules"][r]
            scaled = _scale_rule_expr(rule, factor, scrape_interval_s, rule_file, per_second)
            raw_rule["expr"] = scaled.text
            warnings += [f"{_who(rule)}: {note}" for note in scaled.notes]
            warnings += _numbers(rule, raw_rule, factor, recorded, scale_numbers)
            if isinstance(rule, AlertRule):
                for key, value in (
                    ("for", rule.for_s),
                    ("keep_firing_for", rule.keep_firing_for_s),
                ):
                    if key in raw_rule:
                        raw_rule[key] = _scaled_duration(
                            value, factor, warnings, f"{_who(rule)} {key}"
                        )
    header = (
        f"# Rewritten by the alert harness at time scale {factor:g} from "
        f"{rule_file.source.name}: every alerting duration divided by {factor:g}.\n"
        "# Comments of the original are not carried over.\n"
    )
    return ScaledRules(
        yaml_text=header + dump_yaml(document),
        factor=factor,
        scrape_interval_s=scrape_interval_s,
        source=rule_file.source,
        warnings=tuple(warnings),
    )


def largest_valid_factor(rule_file: RuleFile, scrape_interval_s: float) -> float | None:
    """Largest k keeping every range window >= 4 scrapes; None if no rule has a window."""
    limits = [
        w.before_ms / (MIN_SCRAPES_PER_WINDOW * scrape_interval_s * 1000)
        for rule in _rules(rule_file)
        for w in scale_expression(rule.expr, 1).windows
        if w.kind == "range"
    ]
    return min(limits) if limits else None


def threshold_warnings(
    rule: AlertRule | RecordingRule, factor: float, recorded: frozenset[str] = frozenset()
) -> list[str]:
    """Numbers that mean a duration or a count over a window (``harness.rules.numbers``);
    ``recorded``: recording rules whose value is a duration (an age in seconds)."""
    return [f"{_who(rule)}: {text}" for n in numbers_in(promql.parse(rule.expr), recorded)
            if (text := _number_warning(n, factor))]


def _numbers(rule: AlertRule | RecordingRule, raw_rule: dict[str, Any], factor: float,
             recorded: frozenset[str], rewrite: bool) -> list[str]:
    """Warnings on numbers; with ``rewrite``, the durations among them divided instead."""
    if not rewrite:
        return threshold_warnings(rule, factor, recorded)
    scaled = promql.parse(raw_rule["expr"])  # durations already divided: same structure
    raw_rule["expr"], changed = rewrite_numbers(raw_rule["expr"], factor, recorded)
    done = {promql.parse(old).prettify() for old, _ in changed}
    pairs = zip(numbers_in(promql.parse(rule.expr), recorded), numbers_in(scaled, recorded),
                strict=True)
    left = [original for original, now in pairs if now.text not in done]
    return ([f"{_who(rule)}: duration written as a number, divided by {factor:g} "
             f"(--scale-numbers): `{old}` -> `{new}`" for old, new in changed]
            + [f"{_who(rule)}: {text}" for n in left if (text := _number_warning(n, factor))])


def _number_warning(n: WrittenNumber, k: float) -> str:
    by_hand = (f"Rewrite it by hand (divide it by {k:g}: {n.value / k:g}) or test this rule "
               "at time scale 1.")
    if n.kind == "horizon":
        return (f"`{n.text}` looks {format_seconds(n.value)} ahead, written as a number: a "
                f"duration written as a number is not scaled, so at time scale {k:g} it "
                f"still looks {format_seconds(n.value)} of real time ahead. {by_hand}")
    if n.kind in ("clock", "recorded", "product"):
        about = {"clock": f"{n.what} (seconds)",
                 "recorded": f"{n.what}, recorded as a duration in seconds",
                 "product": "a number of seconds written as a product"}[n.kind]
        return (f"`{n.text}` compares {about} with a number: a duration written as a "
                f"number is not scaled, so at time scale {k:g} it still means real "
                f"seconds. {by_hand}")
    if k == 1:
        return ""
    if n.op in (">", ">="):
        return (f"`{n.text}` counts events ({n.what}) in a window {k:g} times shorter: the "
                f"same event rate gives {k:g} times fewer events, so a fault must be "
                f"{k:g} times stronger to cross the threshold.")
    return (f"`{n.text}` counts events ({n.what}) in a window {k:g} times shorter: the same "
            f"event rate gives {k:g} times fewer events, so the alert fires more easily: "
            f"healthy traffic {k:g} times too thin for the window already crosses it.")


def recorded_durations(rule_file: RuleFile) -> frozenset[str]:
    """Recording rules whose value is an age or a point in time in seconds, in order (a
    rule may build on an earlier one)."""
    names: set[str] = set()
    for rule in rule_file.recording:
        if is_time_valued(promql.parse(rule.expr), names):
            names.add(rule.name)
    return frozenset(names)


def dump_yaml(document: Any) -> str:
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100_000,
    )


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _scale_rule_expr(
    rule: AlertRule | RecordingRule,
    factor: float,
    scrape_s: float,
    rule_file: RuleFile,
    per_second: bool = False,
) -> ScaledExpression:
    try:
        scaled = scale_expression(rule.expr, factor, per_second=per_second)
    except promql.PromQLError as exc:
        raise RuleError(
            f"cannot rewrite the expression: {exc}",
            path=rule.source,
            line=rule.line,
            key=_kind(rule),
        ) from None
    need_ms = MIN_SCRAPES_PER_WINDOW * scrape_s * 1000
    for window in scaled.windows:
        if window.kind == "range" and window.after_ms < need_ms - 1e-6:
            largest = largest_valid_factor(rule_file, scrape_s)
            assert largest is not None
            before = format_ms(round(window.before_ms))
            raise RuleError(
                f"time scale {factor:g} turns the range window [{before}]"
                f" into [{format_ms(window.after_ms)}]: fewer than {MIN_SCRAPES_PER_WINDOW} scrapes"
                f" at scrape interval {format_seconds(scrape_s)} (a window needs at least "
                f"{format_seconds(need_ms / 1000)}).",
                path=rule.source,
                line=rule.line,
                key=_kind(rule),
                hint=_largest_hint(largest, scrape_s),
            )
    return scaled


def _largest_hint(largest: float, scrape_s: float) -> str:
    at = f"at scrape interval {format_seconds(scrape_s)}"
    if largest < 1:
        return f"even time scale 1 is too fast for this file {at}; use a shorter scrape interval"
    shown = math.floor(largest * 100) / 100
    return f"largest valid time scale for this file {at}: {shown:g}"


def _scaled_duration(seconds: float, factor: float, warnings: list[str], what: str) -> str:
    exact_ms = seconds * 1000 / factor
    ms = round(exact_ms)
    if ms == 0 and exact_ms > 0:
        ms = 1
    if abs(ms - exact_ms) > 1e-6:
        warnings.append(
            f"{what} {format_seconds(seconds)} / {factor:g} = {exact_ms:.3f}ms, "
            f"rounded to {format_ms(ms)}"
        )
    return format_ms(ms)


def _rules(rule_file: RuleFile) -> list[AlertRule | RecordingRule]:
    return [rule for group in rule_file.groups for rule in group.rules]


def _kind(rule: AlertRule | RecordingRule) -> str:
    return f"{'alert' if isinstance(rule, AlertRule) else 'record'} {rule.name!r}"


def _who(rule: AlertRule | RecordingRule) -> str:
    return f"{_kind(rule)} ({rule.source.name}:{rule.line})"
