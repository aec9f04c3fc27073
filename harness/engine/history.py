"""Alert episodes from Prometheus's own ``ALERTS`` series: evaluation-time precise.

Every rule evaluation writes ``ALERTS{alertname, alertstate, ...}`` with the
evaluation's timestamp for each pending or firing alert (rules/alerting.go), so the
raw samples tell exactly when an alert became pending (ActiveAt) and firing
(FiredAt). When an alert resolves its series gets a stale marker, which a range
query drops: ResolvedAt is the evaluation after the last firing sample, i.e. last
firing sample + E (groups evaluate at fixed slots, TIMING.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.observe.prometheus import PrometheusClient


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
        return {
            "alert": self.alert,
            "labels": self.labels,
            "pending_at": self.pending_at,
            "fired_at": self.fired_at,
            "resolved_at": self.resolved_at,
        }


def fetch_episodes(
    prom: PrometheusClient,
    alerts: list[str],
    start: float,
    end: float,
    evaluation_of: dict[str, float],
) -> dict[str, list[Episode]]:
    """Episodes per alert name between ``start`` and ``end`` (wall-clock seconds).

    ``evaluation_of`` maps each alert to its group's evaluation interval E.
    """
    if not alerts:
        return {}
    window = max(1, int(end - start + 2))
    names = "|".join(alerts)
    expr = f'ALERTS{{alertname=~"{names}"}}[{window}s]'
    data = prom.get("/api/v1/query", {"query": expr, "time": f"{end:.3f}"})
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
        e = evaluation_of.get(name, 1.0)
        out.setdefault(name, []).extend(_episodes(name, dict(labels_key), sorted(points), e, end))
    for episodes in out.values():
        episodes.sort(key=lambda ep: ep.pending_at or ep.fired_at or 0.0)
    return out


def _episodes(
    name: str, labels: dict[str, str], points: list[tuple[float, str]], e: float, end: float
) -> list[Episode]:
    episodes: list[Episode] = []
    current: Episode | None = None
    for ts, state in points:
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
        if end - current.last_seen > 1.5 * e:
            _close(current, e)
        episodes.append(current)
    return episodes


def _close(ep: Episode, e: float) -> None:
    # A pending alert that stops matching is deleted, not resolved: no resolved time.
    if ep.last_firing is not None:
        ep.resolved_at = ep.last_firing + e
