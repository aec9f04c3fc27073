"""The third leg: a test group replayed live, at time scale k, through a real Prometheus
and a real Alertmanager.

A series exporter serves each input series at wall time ``T0 + t/k`` with the value
promtool has at test time ``t`` (sample ``floor(t / interval)``; an omitted or stale
sample, or a series past its end, is not served). Prometheus scrapes it every
``interval/k``, evaluates the group's rules (rewritten by ``harness.rules.scale``, which
refuses a k leaving a window under 4 scrapes) every ``evaluation_interval/k`` and sends
alerts to Alertmanager (the stack's default configuration, or with
``--alertmanager-config`` the user's routes rendered onto the capture receiver:
``harness.promtool.routing``). At each ``eval_time`` (half an evaluation interval after it,
scaled) the firing alerts of ``/api/v1/alerts`` are compared with ``exp_alerts``:
labels exactly, annotations exactly (Prometheus rendered them) except the numbers of
those that print the value (``$value``), which are masked: a live evaluation reads the
series at offsets from promtool's instants (an ``increase`` over an hour reads 146
where promtool reads 150).

What cannot be exact, and how it is reported:
- live samples lag promtool's by up to a scrape interval and evaluations by up to an
  evaluation interval: a case is compared only where the offline leg's firing set is the
  same from two evaluation intervals before ``eval_time`` to one after (``stable``);
  others are "n/a (timing)";
- a series that stops is marked stale live at the next scrape, where promtool keeps it
  for the 5m lookback. Per-second functions (rate, irate, deriv) would read k times
  larger values on series served k times faster: the replay's rules divide them by k
  (``scale_rules(per_second=True)``), so a rate threshold means what it means in promtool.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from harness.durations import format_ms
from harness.errors import StackError
from harness.promtool.routing import NotificationVerdict, Routing, Timing, settle
from harness.promtool.testfile import InputSeries, TestFile, TestGroup
from harness.receivers.capture import CaptureReceiver
from harness.rules.load import load_rules
from harness.rules.scale import scale_rules
from harness.stack.alertmanager_config import alertmanager_flags, write_alertmanager_config
from harness.stack.binaries import find_binary
from harness.stack.ports import LOOPBACK, free_port, release_port
from harness.stack.process import ManagedProcess
from harness.stack.rundir import recorded_run
from harness.stack.spec import StackSpec
from harness.stack.wait import HttpWait

NOT_COMPARED = "n/a"
JOB = "promtool-series"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_VALUE = re.compile(r"\$value|\.Value")


@dataclass(frozen=True)
class LiveVerdict:
    status: str  # pass, fail, n/a
    detail: str = ""


@dataclass
class LiveGroup:
    """One group's replay: a verdict per alert case; with --alertmanager-config, the
    exp_notifications verdicts and every notification the capture receiver got."""

    verdicts: dict[str, LiveVerdict] = field(default_factory=dict)
    notifications: list[NotificationVerdict] = field(default_factory=list)
    observed: list[dict[str, Any]] = field(default_factory=list)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def exposition(series: list[InputSeries], interval_ms: int, test_ms: float) -> str:
    """The text a scrape at test time ``test_ms`` gets."""
    lines = []
    index = math.floor(test_ms / interval_ms) if interval_ms else 0
    for one in series:
        if not 0 <= index < len(one.values):
            continue
        value = one.values[index]
        if value.omitted or value.stale:
            continue
        name = one.labels.get("__name__", "")
        pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(one.labels.items())
                         if k != "__name__")
        lines.append(f"{name}{{{pairs}}} {value.value!r}\n".replace("inf", "Inf")
                     .replace("nan", "NaN"))
    return "".join(lines)


@contextmanager
def series_exporter(group: TestGroup, k: float) -> Iterator[tuple[int, list[float]]]:
    """Serve the group's series; yields (port, [T0]) where T0 (wall seconds) is set by
    the caller when the replay starts (before it, nothing is served)."""
    start: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b""
            if start:
                test_ms = (time.time() - start[0]) * k * 1000
                body = exposition(group.unique_series(), group.interval_ms, test_ms).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], start
    finally:
        server.shutdown()
        server.server_close()


def _prometheus_config(path: Path, scrape_ms: int, eval_ms: int, exporter: int, am: int,
                       rules: list[Path]) -> None:
    config = {
        "global": {"scrape_interval": format_ms(scrape_ms),
                   "evaluation_interval": format_ms(eval_ms)},
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"{LOOPBACK}:{am}"]}]}]},
        "rule_files": [str(p) for p in rules],
        "scrape_configs": [{
            "job_name": JOB, "honor_labels": True,
            "static_configs": [{"targets": [f"{LOOPBACK}:{exporter}"]}],
            # The target's job and instance labels, added where a series has none: gone,
            # so that the series carry exactly the test's labels.
            "metric_relabel_configs": [
                {"source_labels": [name], "regex": value, "target_label": name,
                 "replacement": ""}
                for name, value in (("job", JOB), ("instance", f"{LOOPBACK}:{exporter}"))],
        }],
    }
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML


@contextmanager
def _process(stack: ExitStack, name: str, argv: list[str], log: Path, ready: str,
             ) -> Iterator[None]:
    run = stack.enter_context(recorded_run(f"promtool-{name}"))
    process = ManagedProcess(name, argv, log_path=log)
    stack.callback(process.stop)
    process.start()
    run.record(process)  # a harness killed now: the next one stops it
    HttpWait(ready, timeout=60).wait(name, target=process)
    yield


def _intervals_ms(test_file: TestFile, group: TestGroup, k: float) -> tuple[int, int]:
    """The replay's scrape and evaluation intervals (scaled), milliseconds."""
    scrape_ms = max(1, round((group.interval_ms or test_file.evaluation_interval_ms) / k))
    return scrape_ms, max(1, round(test_file.evaluation_interval_ms / k))


def _start_stack(stack: ExitStack, work: Path, test_file: TestFile, group: TestGroup,
                 k: float, exporter: int, routing: Routing | None) -> tuple[str, CaptureReceiver]:
    """The capture receiver, Alertmanager (the user's routes rendered onto the capture
    receiver, or the stack's default configuration) and Prometheus for the group; the
    Prometheus URL and the receiver."""
    scrape_ms, eval_ms = _intervals_ms(test_file, group, k)
    rules = []
    for i, path in enumerate(test_file.rule_files):
        # The series arrive k times faster: per-second functions divided by k read
        # what promtool reads.
        scaled = scale_rules(load_rules(path), k, scrape_interval_s=scrape_ms / 1000,
                             per_second=True)
        rules.append(work / f"{i}-{path.name}")
        rules[-1].write_text(scaled.yaml_text, encoding="utf-8")
    am_port, prom_port = free_port(), free_port()
    for port in (am_port, prom_port):
        stack.callback(release_port, port)
    names = [r.name for path in test_file.rule_files for r in load_rules(path).alerts]
    receiver = stack.enter_context(CaptureReceiver(LOOPBACK, alertnames=names))
    spec = StackSpec(alertmanager_yaml=routing.config.yaml_text if routing else None,
                     time_scale=k)
    config = write_alertmanager_config(spec, work, receiver.url)
    stack.callback(config.unlink, missing_ok=True)  # it holds the user's keys
    stack.enter_context(_process(stack, "alertmanager", [
        find_binary("alertmanager"), *alertmanager_flags(
            config, storage=work / "am-data", listen=f"{LOOPBACK}:{am_port}"),
        "--log.level=warn"], work / "alertmanager.log", f"http://{LOOPBACK}:{am_port}/-/ready"))
    _prometheus_config(work / "prometheus.yml", scrape_ms, eval_ms, exporter, am_port, rules)
    url = f"http://{LOOPBACK}:{prom_port}"
    stack.enter_context(_process(stack, "prometheus", [
        find_binary("prometheus"), f"--config.file={work / 'prometheus.yml'}",
        f"--storage.tsdb.path={work / 'prom-data'}", f"--web.listen-address={LOOPBACK}:{prom_port}",
        "--rules.alert.resend-delay=1s", "--log.level=warn"],
        work / "prometheus.log", f"{url}/-/ready"))
    return url, receiver


def _firing(url: str, alertname: str) -> list[tuple[tuple[tuple[str, str], ...],
                                                      tuple[tuple[str, str], ...]]]:
    alerts = _get(f"{url}/api/v1/alerts")["alerts"]
    return sorted((tuple(sorted(a["labels"].items())), tuple(sorted(a["annotations"].items())))
                  for a in alerts
                  if a["state"] == "firing" and a["labels"].get("alertname") == alertname)


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: dict[str, Any] = json.load(response)["data"]
    return data


def _wait_first_rounds(url: str, timeout_s: float = 60.0) -> None:
    """Until Prometheus has scraped the (still empty) exporter and evaluated every rule
    group once: its first scrape and evaluation come seconds after it is ready, and the
    replay's time 0 must not fall before them."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        scraped = _get(f"{url}/api/v1/query?query=scrape_samples_scraped")
        groups = _get(f"{url}/api/v1/rules")["groups"]
        if scraped["result"] and all(not g["lastEvaluation"].startswith("0001")
                                     for g in groups):
            return
        time.sleep(0.1)  # polling the condition above
    raise StackError(f"Prometheus at {url} did not scrape and evaluate within {timeout_s} s")


Alert = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def _value_annotations(test_file: TestFile) -> dict[str, set[str]]:
    """Per alert, the annotations that print the value: live reads the series at
    offsets from promtool's instants, so their numbers are compared masked."""
    out: dict[str, set[str]] = {}
    for path in test_file.rule_files:
        for rule in load_rules(path).alerts:
            names = {k for k, v in rule.annotations.items() if _VALUE.search(v)}
            out.setdefault(rule.name, set()).update(names)
    return out


def _masked(alerts: list[Alert], names: set[str]) -> list[Alert]:
    return sorted((labels, tuple((k, _NUMBER.sub("#", v) if k in names else v)
                                 for k, v in annotations)) for labels, annotations in alerts)


def run_live_group(test_file: TestFile, group: TestGroup, k: float, work: Path,
                   stable: dict[str, bool], routing: Routing | None = None) -> LiveGroup:
    """The group's alert cases compared live; ``stable`` from the offline leg. With
    ``routing``, the alerts go through the user's routes to the capture receiver."""
    work.mkdir(parents=True, exist_ok=True)
    step = test_file.evaluation_interval_ms
    result = LiveGroup()
    valued = _value_annotations(test_file)
    with ExitStack() as stack:
        port, start = stack.enter_context(series_exporter(group, k))
        url, receiver = _start_stack(stack, work, test_file, group, k, port, routing)
        _wait_first_rounds(url)
        start.append(time.time())
        for case in sorted(group.alert_cases, key=lambda c: c.eval_time_ms):
            key = f"tests[{group.index}].alert_rule_test[{case.index}]"
            if not stable.get(key, False):
                result.verdicts[key] = LiveVerdict(
                    NOT_COMPARED, "timing: the expected state changes within one "
                    "evaluation interval of eval_time")
                continue
            due = start[0] + (case.eval_time_ms + step / 2) / 1000 / k
            time.sleep(max(0.0, due - time.time()))
            masked = valued.get(case.alertname, set())
            got = _masked(_firing(url, case.alertname), masked)
            expected = _masked([(tuple(sorted(a.labels.items())),
                                 tuple(sorted(a.annotations.items())))
                                for a in case.exp_alerts], masked)
            result.verdicts[key] = LiveVerdict("pass") if got == expected else LiveVerdict(
                "fail", f"exp: {expected}, got: {got}")
        if routing is not None:
            scrape_ms, eval_ms = _intervals_ms(test_file, group, k)
            timing = Timing(start[0], k, scrape_ms / 1000, _evaluation_s(test_file, k, eval_ms))
            result.notifications, result.observed = settle(routing, group, receiver, timing)
    return result


def _evaluation_s(test_file: TestFile, k: float, eval_ms: int) -> float:
    """E for the deadlines: the longest of the global interval and the rule groups' own
    ``interval:`` (scaled)."""
    own = [r.group_interval_s for path in test_file.rule_files
           for r in load_rules(path).alerts if r.group_interval_s]
    return max([eval_ms / 1000, *(s / k for s in own)])
