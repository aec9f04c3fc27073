"""The agreement report: one row per test case, a column per leg, and why legs differ.

Legs: ``promtool`` (``promtool test rules`` on the case alone), ``offline`` (backfilled
blocks and the offline evaluator), ``live`` (with ``--live K``; "-" when not run). Two legs
agree when their verdicts are equal; a disagreement carries the offline leg's notes
(what blocks cannot reproduce) as its reason, or "unexplained". With
``--alertmanager-config``, a notifications section follows: what each receiver got during
the live replay, and the exp_notifications verdicts (``harness.promtool.routing``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.promtool.live import NOT_COMPARED, LiveVerdict
from harness.promtool.official import Verdict
from harness.promtool.offline import OfflineVerdict
from harness.promtool.routing import NotificationVerdict
from harness.promtool.testfile import TestFile

NOT_RUN = "-"
LIVE_COMPARISON = (
    "firing alerts at eval_time + half an evaluation interval (scaled): labels exactly; "
    "annotations exactly, except the numbers of those printing $value, masked (live reads "
    "the series at offsets from promtool's instants); alert_rule_test cases only, and only "
    "where the offline firing set is the same from 2 evaluation intervals before eval_time "
    "to 1 after (live samples and evaluations lag by up to one scrape and one evaluation "
    "interval)")


@dataclass(frozen=True)
class CaseRow:
    file: str
    key: str  # tests[0].alert_rule_test[1]
    line: int
    name: str  # the alertname or the expression
    eval_time: str
    promtool: str
    offline: str
    live: str = NOT_RUN
    reason: str = ""
    details: dict[str, str] = field(default_factory=dict)

    @property
    def agree(self) -> bool:
        legs = [v for v in (self.promtool, self.offline, self.live) if v != NOT_RUN]
        return len(set(legs)) <= 1


def rows_for(test_file: TestFile, promtool: dict[str, Verdict],
             offline: dict[str, OfflineVerdict],
             live: dict[str, LiveVerdict] | None = None) -> list[CaseRow]:
    rows = []
    for group in test_file.groups:
        cases: list[tuple[str, Any, str]] = [
            (f"tests[{group.index}].alert_rule_test[{c.index}]", c, c.alertname)
            for c in group.alert_cases]
        cases += [(f"tests[{group.index}].promql_expr_test[{c.index}]", c, c.expr.strip())
                  for c in group.expr_cases]
        for key, case, name in cases:
            p, o, lv = promtool.get(key), offline.get(key), (live or {}).get(key)
            row = CaseRow(str(test_file.path), key, case.line, name,
                          f"{case.eval_time_ms / 1000:g}s",
                          p.status if p else NOT_RUN, o.status if o else NOT_RUN,
                          lv.status if lv and lv.status != NOT_COMPARED else NOT_RUN)
            details = {k: v.detail for k, v in (("promtool", p), ("offline", o), ("live", lv))
                       if v is not None and v.detail}
            reason = ""
            if row.promtool != row.offline and NOT_RUN not in (row.promtool, row.offline):
                reason = "; ".join(o.notes) if o and o.notes else "unexplained"
            if lv is not None and row.live not in (NOT_RUN, row.promtool):
                reason = "; ".join(filter(None, [reason, f"live: {lv.detail}"]))
            elif lv is not None and lv.status == NOT_COMPARED:
                reason = "; ".join(filter(None, [reason, f"live not compared: {lv.detail}"]))
            rows.append(CaseRow(**{**asdict(row), "reason": reason, "details": details}))
    return rows


def summary(rows: list[CaseRow]) -> dict[str, Any]:
    compared = [r for r in rows if r.promtool != NOT_RUN and r.offline != NOT_RUN]
    agreed = sum(r.promtool == r.offline for r in compared)
    live = [r for r in rows if r.live != NOT_RUN and r.promtool != NOT_RUN]
    out: dict[str, Any] = {
        "cases": len(rows),
        "promtool_offline_compared": len(compared),
        "promtool_offline_agree": agreed,
        "agreement": round(agreed / len(compared), 4) if compared else None,
        "unexplained": sum("unexplained" in r.reason for r in rows),
    }
    if live:
        out["promtool_live_compared"] = len(live)
        out["promtool_live_agree"] = sum(r.live == r.promtool for r in live)
        out["live_comparison"] = LIVE_COMPARISON
    return out


def passed(rows: list[CaseRow], expectations: list[NotificationVerdict] | None = None) -> bool:
    """Every case passes in every leg that ran, and every exp_notifications verdict."""
    legs = [v for r in rows for v in (r.promtool, r.offline, r.live) if v != NOT_RUN]
    return bool(rows) and all(v == "pass" for v in legs) and all(
        v.status == "pass" for v in expectations or [])


def write_json(rows: list[CaseRow], path: Path,
               expectations: list[NotificationVerdict] | None = None,
               observed: list[dict[str, Any]] | None = None) -> None:
    """The report; with --alertmanager-config, a ``notifications`` section: what each
    receiver got (``observed``) and the exp_notifications verdicts (``expectations``)."""
    payload: dict[str, Any] = {"summary": summary(rows),
                               "cases": [{**asdict(r), "agree": r.agree} for r in rows]}
    if expectations is not None or observed is not None:
        payload["notifications"] = {
            "observed": observed or [],
            "expectations": [asdict(v) for v in expectations or []]}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def print_notifications(observed: list[dict[str, Any]],
                        expectations: list[NotificationVerdict], console: Console) -> None:
    """Per notification: when (test time), which receiver, status, the alerts' labels and
    the payload's fields; then the exp_notifications verdicts with their messages."""
    table = Table(title="notifications (live replay)", show_lines=False)
    for column in ("test group", "at", "receiver", "kind", "status", "alerts",
                   "payload fields"):
        table.add_column(column, overflow="fold")
    for o in observed:
        alerts = "; ".join("{" + ", ".join(f"{k}={v}" for k, v in sorted(a.items())) + "}"
                           for a in o["alerts"]) or ", ".join(o["alertnames"])
        cells = (f"{Path(o.get('file', '')).name} tests[{o['group']}]", o["at"],
                 o["receiver"], o["kind"], o["status"], alerts, ", ".join(o["payload_fields"]))
        table.add_row(*map(escape, cells))
    console.print(table)
    if not expectations:
        return
    verdicts = Table(title="exp_notifications", show_lines=False)
    for column in ("where", "alert", "eval_time", "receiver", "expected", "verdict"):
        verdicts.add_column(column, overflow="fold")
    for v in expectations:
        verdicts.add_row(*map(escape, (v.where, v.alertname, v.eval_time, v.receiver,
                                       v.expected, v.status)),
                         style=None if v.status == "pass" else "red")
    console.print(verdicts)
    for v in (v for v in expectations if v.status != "pass"):
        console.print(escape(v.message), style="red")


def print_tables(rows: list[CaseRow], console: Console | None = None,
                 expectations: list[NotificationVerdict] | None = None,
                 observed: list[dict[str, Any]] | None = None) -> None:
    console = console or Console(emoji=False, highlight=False, width=max(
        140, Console().width))
    for file in dict.fromkeys(r.file for r in rows):
        table = Table(title=file, show_lines=False)
        for column in ("case", "line", "alert / expr", "eval_time", "promtool", "offline",
                       "live", "reason"):
            table.add_column(column, overflow="fold")
        for r in (r for r in rows if r.file == file):
            style = None if r.agree else "red"
            cells = (r.key, str(r.line), r.name[:60], r.eval_time, r.promtool, r.offline,
                     r.live, r.reason)
            table.add_row(*map(escape, cells), style=style)
        console.print(table)
    s = summary(rows)
    live = (f"; promtool and live agree on {s['promtool_live_agree']}/"
            f"{s['promtool_live_compared']} compared live" if "promtool_live_compared" in s
            else "")
    if expectations is not None or observed is not None:
        print_notifications(observed or [], expectations or [], console)
    notified = (f"; exp_notifications: {sum(v.status == 'pass' for v in expectations)}/"
                f"{len(expectations)} pass" if expectations else "")
    console.print(f"{s['cases']} cases; promtool and offline agree on "
                  f"{s['promtool_offline_agree']}/{s['promtool_offline_compared']}{live}"
                  f"; unexplained disagreements: {s['unexplained']}{notified}")
