"""Alert episodes from Prometheus's own ``ALERTS`` series: evaluation-time precise.

Every rule evaluation writes ``ALERTS{alertname, alertstate, ...}`` with the
evaluation's timestamp for each pending or firing alert (rules/alerting.go), so the
raw samples tell exactly when an alert became pending (ActiveAt) and firing
(FiredAt). When an alert resolves its series gets a stale marker, which a range
query drops: ResolvedAt is the evaluation after the last firing sample, i.e. last
firing sample + E (groups evaluate at fixed slots, docs/TIMING.md).

Whether an alert is still active when the run ends is decided by the group's first
evaluation after the run (``wait_evaluated``): an episode with no sample at that
evaluation has resolved.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from harness.errors import StackError
from harness.observe.prometheus import PrometheusClient
from harness.verdicts.timestamps import parse_timestamp


@dataclass
class Episode:
    """One pending -> (firing ->) resolved run of an alert instance."""

    alert: str
    labels: dict[str, str]
    pending_at: float | None = None
    fired_at: float | None = None
    last_firing: float | None = None
    last_seen: float = 0.0
    resolved_at: float | None = None  # None: still pending/firing when the run ended
    samples: list[tuple[float, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """What report.json keeps (the samples and last sightings stay in memory)."""
        return {k: getattr(self, k) for k in ("alert", "labels", "pending_at", "fired_at",
                                               "resolved_at")}


def wait_evaluated(
    prom: PrometheusClient, alerts: list[str], after: float, timeout: float
) -> dict[str, float]:
    """Wait until every group holding one of ``alerts`` has evaluated after ``after``.

    Returns each alert's group's last evaluation time. Polls /api/v1/rules (a condition,
    not a sleep); a StackError names the groups still waiting when ``timeout`` passes.
    """
    deadline = time.monotonic() + timeout
    wanted = set(alerts)
    while True:
        last: dict[str, float] = {}
        for group in prom.rule_groups():
            stamp = parse_timestamp(group.get("lastEvaluation")) or 0.0
            for rule in group.get("rules", []):
                if rule.get("type") == "alerting" and rule.get("name") in wanted:
                    last[rule["name"]] = stamp
        late = sorted(a for a in wanted if last.get(a, 0.0) <= after)
        if not late:
            return last
        if time.monotonic() > deadline:
            raise StackError(
                f"Prometheus did not evaluate the rules of {', '.join(late)} within "
                f"{timeout:g} s after the run ended"
            )
        time.sleep(0.05)


def fetch_episodes(
    prom: PrometheusClient,
    alerts: list[str],
    start: float,
    end: float,
    evaluation_of: dict[str, float],
    last_evaluation: dict[str, float],
) -> dict[str, list[Episode]]:
    """Episodes per alert name between ``start`` and the groups' ``last_evaluation``.

    ``evaluation_of``: each alert's group interval E. An episode without a sample at its
    group's last evaluation has resolved.
    """
    if not alerts:
        return {}
    # Up to the groups' last evaluation: a sample there means still active at the end.
    until = max([end, *last_evaluation.values()])
    window = max(1, int(until - start + 2))
    names = "|".join(alerts)
    expr = f'ALERTS{{alertname=~"{names}"}}[{window}s]'
    data = prom.get("/api/v1/query", {"query": expr, "time": f"{until:.3f}"})
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, str]]] = {}
    for series in data.get("data", {}).get("result", []):
        labels = dict(series["metric"])
        labels.pop("__name__", None)
        state = labels.pop("alertstate", "firing")
        key = (labels.get("alertname", "?"), tuple(sorted(labels.items())))
        for ts, _ in series.get("values", []):
            samples.setdefault(key, []).append((float(ts), state))
    out: dict[str, list[Episode]] = {name: [] for name in alerts}
    for (name, labels_key), points in samples.items():
        e, last = evaluation_of.get(name, 1.0), last_evaluation.get(name, end)
        found = _episodes(name, dict(labels_key), sorted(points), e, last, end)
        out.setdefault(name, []).extend(found)
    for episodes in out.values():
        episodes.sort(key=lambda ep: ep.pending_at or ep.fired_at or 0.0)
    return out


SLOT_EPSILON_S = 0.002  # ms-rounded sample stamps against a wall-clock evaluation start


def _episodes(
    name: str,
    labels: dict[str, str],
    points: list[tuple[float, str]],
    e: float,
    last_eval: float,
    end: float = math.inf,
) -> list[Episode]:
    episodes: list[Episode] = []
    current: Episode | None = None
    for ts, state in points:
        if ts > end:  # after the run: only whether an episode was still active
            if current is not None and ts - current.last_seen <= 1.5 * e:
                current.last_seen = ts
            continue
        # A gap of more than one evaluation (plus jitter) ends an episode.
        if current is not None and ts - current.last_seen > 1.5 * e:
            _close(current, e)
            episodes.append(current)
            current = None
        if current is None:
            current = Episode(name, labels)
        current.samples.append((ts, state))
        current.last_seen = ts
        if state == "pending" and current.pending_at is None and current.fired_at is None:
            current.pending_at = ts
        if state == "firing":
            if current.fired_at is None:
                current.fired_at = ts
            current.last_firing = ts
    if current is not None:
        # Still active at the group's last evaluation: a sample stamped with it exists.
        # ``last_eval`` is the wall-clock start of that evaluation (rules/manager.go sets
        # lastEvaluation to it), anywhere in [slot, slot + E) of the slot its samples
        # carry: under load often more than E/2 late. Only a whole interval without a
        # sample means the episode ended.
        if last_eval - current.last_seen >= e - SLOT_EPSILON_S:
            _close(current, e)
        episodes.append(current)
    return episodes



def _close(ep: Episode, e: float) -> None:
    # A pending alert that stops matching is deleted, not resolved: no resolved time.
    if ep.last_firing is not None:
        ep.resolved_at = ep.last_firing + e
