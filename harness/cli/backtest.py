"""`harness backtest`: what an alert (and threshold variants of it) would have done over a
Prometheus-compatible server's history. Read-only: range queries, nothing else."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from harness.errors import InputError

if TYPE_CHECKING:
    from harness.offline.evaluate import Evaluation
    from harness.rules.model import AlertRule


def _seconds(value: str, what: str) -> float:
    from harness.durations import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=what) from None


def _instant(value: str | None) -> float:
    """Unix seconds of an RFC 3339 time or a number of unix seconds; now if None."""
    if value is None:
        return time.time()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither RFC 3339 (2026-12-01T00:00:00Z) nor unix seconds",
            param_hint="--until",
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not 'Name: value'", param_hint="--header")
        found[name.strip()] = content.strip()
    return found


def candidates(
    rules_file: Path, alerts: tuple[str, ...], thresholds: tuple[float, ...]
) -> list[tuple[str, AlertRule]]:
    """(label, rule) per candidate: each chosen alert as written, then each threshold."""
    from dataclasses import replace

    from harness.offline.evaluate import split_comparison
    from harness.rules.load import alert_names, load_rules

    loaded = load_rules(rules_file)
    known = alert_names(loaded)
    for name in alerts:
        if name not in known:
            raise InputError(
                f"No alert {name!r} in this file; it has: {', '.join(known)}.", path=rules_file
            )
    chosen = [r for r in loaded.alerts if not alerts or r.name in alerts]
    found: list[tuple[str, AlertRule]] = []
    for rule in chosen:
        found.append(("as written", rule))
        comparison = split_comparison(rule.expr) if thresholds else None
        if thresholds and comparison is None:
            raise InputError(
                f"Alert {rule.name}'s expression is not '<expression> <comparison> <number>', "
                "so --threshold cannot vary it.",
                path=rules_file,
                line=rule.expr_line or rule.line,
            )
        for value in thresholds:
            assert comparison is not None
            found.append(
                (f"threshold {value:g}", replace(rule, expr=comparison.with_threshold(value)))
            )
    return found


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _show(label: str, result: Evaluation, end: float) -> None:
    from harness.durations import format_duration

    rule = result.rule
    shared = " (shares its query)" if result.comparison is not None else ""
    click.echo(
        f"{rule.name}, {label}: {' '.join(rule.expr.split())}, "
        f"for {format_duration(rule.for_s)}{shared}"
    )
    for episode in result.fired:
        labels = ", ".join(f'{k}="{v}"' for k, v in episode.labels if k != "alertname")
        ended = _when(episode.resolved_at) if episode.resolved_at is not None else "still firing"
        firing = format_duration(round(episode.firing_seconds(end)))
        click.echo(
            f"  fired {_when(episode.fired_at or 0)}  resolved {ended}  "
            f"firing {firing}  {{{labels}}}"
        )
    total = sum(e.firing_seconds(end) for e in result.fired)
    pending = len(result.episodes) - len(result.fired)
    click.echo(
        f"  {_count(len(result.fired), 'episode')} fired, {format_duration(round(total))} firing"
        f"; {pending} pending only"
    )
    for error in result.errors:
        click.echo(f"  evaluation failed at {_when(error.at)}: {error.message}")


@click.command(name="backtest")
@click.option(
    "--prometheus-url",
    required=True,
    help="Base URL of a Prometheus-compatible query API (Prometheus, Thanos, Mimir).",
)
@click.option(
    "--rules",
    "rules_file",
    required=True,
    type=click.Path(path_type=Path),
    help="Rule file holding the alerts.",
)
@click.option(
    "--alert",
    "alerts",
    multiple=True,
    help="Alert to backtest (repeatable); default: every alert in the file.",
)
@click.option("--since", default="7d", show_default=True, help="How far back from --until.")
@click.option("--until", default=None, help="End: RFC 3339 or unix seconds; default: now.")
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    type=float,
    help="A candidate threshold for the alert's comparison (repeatable).",
)
@click.option(
    "--evaluation-interval",
    default="1m",
    show_default=True,
    help="For rule groups without their own interval.",
)
@click.option(
    "--bearer-token",
    envvar="HARNESS_BEARER_TOKEN",
    default=None,
    help="Sent as 'Authorization: Bearer ...' (or set HARNESS_BEARER_TOKEN).",
)
@click.option("--header", "headers", multiple=True, help="An extra 'Name: value' header.")
@click.option("--ca-file", default=None, help="CA bundle to verify the server's certificate.")
@click.option("--insecure-skip-verify", is_flag=True, help="Do not verify TLS certificates.")
@click.option("--max-queries", default=1000, show_default=True, type=click.IntRange(1))
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="Retries of a failed connection or a 429/502/504 answer, with backoff.",
)
@click.option(
    "--max-points",
    default=11_000,
    show_default=True,
    type=click.IntRange(1, 11_000),
    help="Steps per range query.",
)
def command(
    prometheus_url: str,
    rules_file: Path,
    alerts: tuple[str, ...],
    since: str,
    until: str | None,
    thresholds: tuple[float, ...],
    evaluation_interval: str,
    bearer_token: str | None,
    headers: tuple[str, ...],
    ca_file: str | None,
    insecure_skip_verify: bool,
    max_queries: int,
    retries: int,
    max_points: int,
) -> int:
    """Episodes of each alert (and of each --threshold variant) over the server's history."""
    from harness.offline.evaluate import evaluate
    from harness.offline.source import PrometheusSource, SourceOptions

    end = _instant(until)
    start = end - _seconds(since, "--since")
    chosen = candidates(rules_file, alerts, thresholds)
    options = SourceOptions(
        url=prometheus_url,
        headers=_headers(headers),
        bearer_token=bearer_token,
        ca_file=ca_file,
        insecure_skip_verify=insecure_skip_verify,
        max_queries=max_queries,
        retries=retries,
        max_points=max_points,
    )
    with PrometheusSource(options) as source:
        results = evaluate(
            [r for _, r in chosen],
            source,
            start,
            end,
            default_interval_s=_seconds(evaluation_interval, "--evaluation-interval"),
        )
        sent = source.queries
    click.echo(
        f"{_when(start)} .. {_when(end)}: {_count(len(chosen), 'candidate')}, "
        f"{_count(sent, 'range query', 'range queries')}"
    )
    for (label, _), result in zip(chosen, results, strict=True):
        _show(label, result, end)
    return 0
