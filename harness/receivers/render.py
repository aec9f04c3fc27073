"""Render a user's Alertmanager configuration so every receiver posts to the capture receiver.

- webhook_configs: ``url`` -> {capture}/webhook/<receiver>
- slack_configs: ``api_url`` -> {capture}/slack/<receiver> (placeholders in the input are fine)
- pagerduty_configs with ``routing_key`` (Events v2): ``url`` -> {capture}/pagerduty/<receiver>.
  With ``service_key`` (Events v1) Alertmanager 0.25 posts to a hard-coded PagerDuty URL,
  so the receiver is tested through an equivalent v2 config (same key as routing_key,
  same description/severity/details), and a note says so.
- any other integration (email, opsgenie, ...) -> a webhook to the capture receiver, noted.
Several configs of one kind in one receiver get /<i> suffixes (``receiver_path``).

Time scale k: group_wait, group_interval and repeat_interval at every route level and
``global.resolve_timeout`` are divided by k, but never below ``min_timer_s`` (1 s by
default: docs/TIMING.md measured the pipeline end to end with S = E = GW = GI = 1 s, and a
flush timer faster than rule evaluation only adds flushes with nothing new in them).
Verdicts must use the rendered values: ``route_tree`` carries them.

Credentials and original URLs are collected into ``secrets`` for reports to redact.
With ``check`` (the default) every template of the user's integrations is rendered once
with amtool (``templates``): the ones that fail are ``template_problems``, a finding, not
an error. The result is checked with ``amtool check-config``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.durations import format_seconds, parse_seconds
from harness.errors import ConfigError
from harness.receivers.amtool import check_config_text
from harness.receivers.capture import RECEIVER_URL_TOKEN, receiver_path
from harness.receivers.models import Kind
from harness.receivers.routes import (
    DEFAULT_GROUP_INTERVAL_S,
    DEFAULT_GROUP_WAIT_S,
    DEFAULT_REPEAT_INTERVAL_S,
    Route,
    parse_route_tree,
)
from harness.receivers.templates import TemplateProblem, template_problems
from harness.rules.scale import dump_yaml
from harness.yamlsource import Source, read_text

MIN_TIMER_S = 1.0
DEFAULT_RESOLVE_TIMEOUT_S = 300.0
TOP_KEYS = ("global", "route", "receivers", "inhibit_rules", "templates",
            "mute_time_intervals", "time_intervals")
# Integrations of Alertmanager 0.25, with their send_resolved defaults (config/notifiers.go).
SEND_RESOLVED_DEFAULT = {
    "email_configs": False, "pagerduty_configs": True, "slack_configs": False,
    "webhook_configs": True, "opsgenie_configs": True, "wechat_configs": False,
    "pushover_configs": True, "victorops_configs": True, "sns_configs": True,
    "telegram_configs": True, "webex_configs": True, "discord_configs": True,
}
RECEIVER_KEYS = ("name", *SEND_RESOLVED_DEFAULT)
_GLOBAL_URLS = ("slack_api_url", "slack_api_url_file", "pagerduty_url", "opsgenie_api_url",
                "victorops_api_url", "wechat_api_url", "telegram_api_url", "webex_api_url")
_SECRET_SUFFIXES = ("_key", "_secret", "_password", "_token", "_url", "password", "secret")
_SECRET_KEYS = frozenset({"url", "credentials", "token", "api_url", "routing_key",
                          "service_key", "bearer_token", "client_secret", "user_key"})
_TIMERS = (("group_wait", DEFAULT_GROUP_WAIT_S), ("group_interval", DEFAULT_GROUP_INTERVAL_S),
           ("repeat_interval", DEFAULT_REPEAT_INTERVAL_S))


@dataclass(frozen=True)
class RenderedAlertmanagerConfig:
    yaml_text: str
    notes: tuple[str, ...]  # substitutions and timer floors, for the report
    secrets: tuple[str, ...]  # strings reports must redact
    receivers: list[str]
    route_tree: Route  # effective timers after scaling; .describe() for a readable summary
    capture_url: str
    time_scale: float = 1.0
    # Templates that fail to render: Alertmanager would drop those notifications. A finding.
    template_problems: tuple[TemplateProblem, ...] = ()


def render_alertmanager_config(
    path: Path | str, capture_url: str = RECEIVER_URL_TOKEN, *, time_scale: float = 1.0,
    min_timer_s: float = MIN_TIMER_S, check: bool = True,
) -> RenderedAlertmanagerConfig:
    """Render the file at ``path``. ``capture_url`` defaults to the stack's placeholder,
    replaced by the capture receiver's real base URL once the stack has started it."""
    path = Path(path)
    text = read_text(path, ConfigError, "Alertmanager configuration")
    return render_alertmanager_text(text, path, capture_url, time_scale=time_scale,
                                    min_timer_s=min_timer_s, check=check)


def render_alertmanager_text(
    text: str, source: Path | str, capture_url: str = RECEIVER_URL_TOKEN, *,
    time_scale: float = 1.0, min_timer_s: float = MIN_TIMER_S, check: bool = True,
) -> RenderedAlertmanagerConfig:
    factor = time_scale
    if not (factor > 0 and math.isfinite(factor)):
        raise ConfigError(f"time scale must be a positive number, got {factor!r}", path=source)
    src = Source(text, source, ConfigError)
    doc = _validated(src)
    secrets = _collect_secrets({"global": doc.get("global"), "receivers": doc["receivers"]})
    problems: list[TemplateProblem] = []
    if check:  # on the user's integrations, before any is replaced by a webhook
        problems = template_problems(copy.deepcopy(doc["receivers"]),
                                     _template_globs(doc.get("templates"), src.path))
    notes: list[str] = []
    base = capture_url.rstrip("/")
    _render_global(doc, factor, min_timer_s, notes)
    for receiver in doc["receivers"]:
        _render_receiver(receiver, base, notes)
    _scale_route(doc["route"], factor, min_timer_s, notes, "route", root=True)
    if doc.get("templates"):
        doc["templates"] = _template_globs(doc["templates"], src.path)
    header = (f"# Rendered by the alert harness from {src.path.name}: every receiver posts to "
              f"{base}; timers divided by {factor:g} (floor {format_seconds(min_timer_s)}).\n")
    yaml_text = header + dump_yaml(doc)
    if check:
        check_config_text(yaml_text, source=src.path)
    return RenderedAlertmanagerConfig(
        yaml_text=yaml_text, notes=tuple(notes), secrets=tuple(secrets),
        receivers=[str(r["name"]) for r in doc["receivers"]],
        route_tree=parse_route_tree(doc), capture_url=base, time_scale=factor,
        template_problems=tuple(problems),
    )


def _template_globs(templates: list[str] | None, source: Path) -> list[str]:
    """Template globs made absolute: relative ones are relative to the configuration."""
    return [t if Path(t).is_absolute() else str((source.parent / t).resolve())
            for t in templates or []]


def _validated(src: Source) -> dict[str, Any]:
    root = src.root()
    if root is None:
        raise src.fail(None, "the Alertmanager configuration is empty")
    top = src.mapping(root, "the configuration", TOP_KEYS)
    for required in ("route", "receivers"):
        if required not in top:
            raise src.fail(root, f"the configuration has no {required!r}")
    _check_timers(src, top["route"][1], "route")
    if "global" in top and isinstance(top["global"][1], yaml.MappingNode):
        timeout = src.mapping(top["global"][1], "global").get("resolve_timeout")
        if timeout is not None:
            check_duration(src, timeout[1], "global.resolve_timeout")
    for i, node in enumerate(src.sequence(top["receivers"][1], "receivers")):
        items = src.mapping(node, f"receivers[{i}]", RECEIVER_KEYS)
        if "name" not in items:
            raise src.fail(node, "receiver has no name", key=f"receivers[{i}]")
        name = src.string(items["name"][1], f"receivers[{i}].name")
        for kind, (_, value) in items.items():
            if kind != "name":
                for j, config in enumerate(src.sequence(value, f"receiver {name!r} {kind}")):
                    src.mapping(config, f"receiver {name!r} {kind}[{j}]")
    doc: dict[str, Any] = src.value(root)  # freshly constructed: safe to rewrite in place
    return doc


def _check_timers(src: Source, node: yaml.Node, where: str) -> None:
    """Every route's timers are durations (refused at their line before any rendering)."""
    items = src.mapping(node, where)
    for key, _ in _TIMERS:
        if key in items:
            check_duration(src, items[key][1], f"{where}.{key}")
    if "routes" in items and not _is_null(items["routes"][1]):
        for i, child in enumerate(src.sequence(items["routes"][1], f"{where}.routes")):
            _check_timers(src, child, f"{where}.routes[{i}]")


def check_duration(src: Source, node: yaml.Node, where: str) -> None:
    """A duration at ``node``, else the ConfigError at its line (also used by harness lint)."""
    try:
        parse_seconds(src.string(node, where))
    except ValueError as exc:
        raise src.fail(node, str(exc), key=where) from None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _render_global(doc: dict[str, Any], factor: float, floor: float, notes: list[str]) -> None:
    glob = doc.setdefault("global", {}) or {}
    doc["global"] = glob
    for key in _GLOBAL_URLS:
        glob.pop(key, None)  # every integration gets an explicit local URL instead
    if glob.pop("http_config", None) is not None:
        notes.append("global http_config (credentials, proxy, TLS) is not used locally")
    seconds = parse_seconds(str(glob.get("resolve_timeout", "5m")))
    glob["resolve_timeout"] = _scaled(seconds, factor, floor, notes, "global resolve_timeout")


def _render_receiver(receiver: dict[str, Any], base: str, notes: list[str]) -> None:
    name = str(receiver["name"])
    counts: dict[Kind, int] = {}

    def url(kind: Kind) -> str:
        index = counts.get(kind, 0)
        counts[kind] = index + 1
        return base + receiver_path(kind, name, index)

    for i, config in enumerate(receiver.get("slack_configs") or []):
        _drop_transport(config, notes, f"receiver {name!r} slack_configs[{i}]")
        config.pop("api_url_file", None)
        config["api_url"] = url("slack")
    for i, config in enumerate(receiver.get("pagerduty_configs") or []):
        where = f"receiver {name!r} pagerduty_configs[{i}]"
        _drop_transport(config, notes, where)
        if "service_key" in config or "service_key_file" in config:
            config["routing_key"] = config.pop("service_key", None) or "harness-service-key"
            config.pop("service_key_file", None)
            notes.append(f"receiver {name!r}: PagerDuty Events v1 (service_key) cannot be "
                         "captured locally; tested through an equivalent Events v2 receiver "
                         "(routing_key = the same key; 'severity', 'class', 'component' and "
                         "'group' are sent by v2 only)")
        if config.pop("routing_key_file", None) is not None:
            config["routing_key"] = "harness-routing-key"
            notes.append(f"{where}: routing_key_file replaced by a dummy key locally")
        config["url"] = url("pagerduty")
    webhooks = receiver.setdefault("webhook_configs", []) or []
    receiver["webhook_configs"] = webhooks
    for i, config in enumerate(webhooks):
        _drop_transport(config, notes, f"receiver {name!r} webhook_configs[{i}]")
        config.pop("url_file", None)
        config["url"] = url("webhook")
    for kind in [k for k in SEND_RESOLVED_DEFAULT if k not in (
            "slack_configs", "pagerduty_configs", "webhook_configs")]:
        for i, config in enumerate(receiver.pop(kind, None) or []):
            send_resolved = bool(config.get("send_resolved", SEND_RESOLVED_DEFAULT[kind]))
            target = url("webhook")
            webhooks.append({"send_resolved": send_resolved, "url": target})
            notes.append(f"receiver {name!r}: {kind}[{i}] cannot be captured locally; "
                         f"replaced by a webhook to {target} (its templates are not exercised)")
    if not webhooks:
        receiver.pop("webhook_configs")


def _drop_transport(config: dict[str, Any], notes: list[str], where: str) -> None:
    if config.pop("http_config", None) is not None:
        notes.append(f"{where}: http_config (credentials, proxy, TLS) is not used locally")


def _scale_route(route: dict[str, Any], factor: float, floor: float, notes: list[str],
                 where: str, *, root: bool = False) -> None:
    for key, default in _TIMERS:
        if key in route or root:  # the root gets explicit values: defaults scale too
            seconds = parse_seconds(str(route.get(key, format_seconds(default))))
            route[key] = _scaled(seconds, factor, floor, notes, f"{where} {key}")
    for i, child in enumerate(route.get("routes") or []):
        _scale_route(child, factor, floor, notes, f"{where}.routes[{i}]")


def _scaled(seconds: float, factor: float, floor: float, notes: list[str], what: str) -> str:
    value = seconds / factor
    floor = min(floor, seconds)  # a floor never makes a timer longer than the original
    if value < floor:
        notes.append(f"{what} {format_seconds(seconds)} / {factor:g} = "
                     f"{format_seconds(value)}, raised to the floor {format_seconds(floor)}")
        value = floor
    return format_seconds(value)


def _collect_secrets(tree: Any) -> list[str]:
    """Values of credential-like keys (and original URLs), anywhere in the tree."""
    found: dict[str, None] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                k = str(key)
                secret_key = (k in _SECRET_KEYS or k.endswith(_SECRET_SUFFIXES)) and not (
                    k.endswith("_file"))
                if secret_key and isinstance(value, str) and value and "{{" not in value:
                    found.setdefault(value, None)
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(tree)
    return list(found)
