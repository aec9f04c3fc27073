"""Rendering Alertmanager configurations onto the capture receiver."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.errors import ConfigError, MissingBinaryError
from harness.paths import SPEC_DIR
from harness.receivers.render import (
    RenderedAlertmanagerConfig,
    render_alertmanager_config,
    render_alertmanager_text,
)

BASE = "http://127.0.0.1:9999"
SPEC_AM = SPEC_DIR / "alertmanager.yml"
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")


def _render(
    text: str, *, time_scale: float = 1.0
) -> tuple[RenderedAlertmanagerConfig, dict[str, Any]]:
    rendered = render_alertmanager_text(text, "am.yml", BASE, time_scale=time_scale, check=False)
    return rendered, yaml.safe_load(rendered.yaml_text)


def _receiver(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["receivers"] if r["name"] == name)


@needs_amtool
def test_spec_config_renders_and_passes_amtool() -> None:
    rendered = render_alertmanager_config(SPEC_AM, BASE, time_scale=60)
    doc = yaml.safe_load(rendered.yaml_text)
    assert rendered.receivers == ["default", "pagerduty", "slack", "slack-product"]
    assert _receiver(doc, "default")["webhook_configs"][0]["url"] == f"{BASE}/webhook/default"
    assert _receiver(doc, "slack")["slack_configs"][0]["api_url"] == f"{BASE}/slack/slack"
    assert _receiver(doc, "slack-product")["slack_configs"][0]["channel"] == "#product-alerts"
    pd = _receiver(doc, "pagerduty")["pagerduty_configs"][0]
    assert pd == {
        "description": "{{ .GroupLabels.alertname }}: {{ .Annotations.summary }}",
        "severity": "{{ .Labels.severity }}",
        "routing_key": "<PAGERDUTY_SERVICE_KEY>",
        "url": f"{BASE}/pagerduty/pagerduty",
    }


@needs_amtool
def test_default_capture_url_is_the_stacks_placeholder() -> None:
    from harness.stack.spec import RECEIVER_URL_TOKEN

    rendered = render_alertmanager_config(SPEC_AM)  # checked by amtool as rendered
    assert f"{RECEIVER_URL_TOKEN}/webhook/default" in rendered.yaml_text


def test_v1_service_key_is_substituted_and_noted() -> None:
    rendered = render_alertmanager_config(SPEC_AM, BASE, check=False)
    [note] = [n for n in rendered.notes if "PagerDuty" in n]
    assert note.startswith(
        "receiver 'pagerduty': PagerDuty Events v1 (service_key) cannot be captured locally; "
        "tested through an equivalent Events v2 receiver")


def test_v2_routing_key_keeps_its_key_and_gets_the_capture_url() -> None:
    rendered, doc = _render("""
route: {receiver: pd}
receivers:
  - name: pd
    pagerduty_configs:
      - routing_key: abc123
        severity: critical
        details: {runbook: 'https://runbooks/x'}
""")
    pd = _receiver(doc, "pd")["pagerduty_configs"][0]
    assert pd["routing_key"] == "abc123" and pd["url"] == f"{BASE}/pagerduty/pd"
    assert pd["details"] == {"runbook": "https://runbooks/x"}
    assert rendered.notes == () and "abc123" in rendered.secrets


def test_other_integrations_become_noted_webhooks() -> None:
    rendered, doc = _render("""
route: {receiver: ops}
receivers:
  - name: ops
    webhook_configs: [{url: 'http://hooks.internal/a?token=s3cret'}]
    email_configs: [{to: 'oncall@example.com', smarthost: 'smtp:25', auth_password: pw}]
    opsgenie_configs: [{api_key: og-key, send_resolved: false}]
""")
    hooks = _receiver(doc, "ops")["webhook_configs"]
    assert hooks == [
        {"url": f"{BASE}/webhook/ops"},
        {"send_resolved": False, "url": f"{BASE}/webhook/ops/1"},  # email: default false
        {"send_resolved": False, "url": f"{BASE}/webhook/ops/2"},
    ]
    assert "email_configs" not in _receiver(doc, "ops")
    assert sum("cannot be captured locally; replaced by a webhook" in n
               for n in rendered.notes) == 2
    assert {"http://hooks.internal/a?token=s3cret", "pw", "og-key"} <= set(rendered.secrets)


def test_several_configs_of_one_kind_get_index_suffixes() -> None:
    _, doc = _render("""
route: {receiver: s}
receivers:
  - name: s
    slack_configs: [{api_url: 'https://hooks.slack.com/a', channel: '#a'},
                    {api_url_file: /secret/b, channel: '#b'}]
""")
    urls = [c["api_url"] for c in _receiver(doc, "s")["slack_configs"]]
    assert urls == [f"{BASE}/slack/s", f"{BASE}/slack/s/1"]
    assert "api_url_file" not in _receiver(doc, "s")["slack_configs"][1]


def test_http_config_and_global_urls_dropped_and_their_secrets_collected() -> None:
    rendered, doc = _render("""
global:
  slack_api_url: 'https://hooks.slack.com/services/T0/B0/XYZ'
  http_config: {basic_auth: {username: u, password: global-pw}}
route: {receiver: w}
receivers:
  - name: w
    webhook_configs:
      - url: 'https://example.com/hook'
        http_config:
          authorization: {credentials: bearer-secret}
          proxy_url: 'http://proxy:3128'
""")
    assert "slack_api_url" not in doc["global"] and "http_config" not in doc["global"]
    assert "http_config" not in _receiver(doc, "w")["webhook_configs"][0]
    assert set(rendered.secrets) >= {"https://hooks.slack.com/services/T0/B0/XYZ", "global-pw",
                                      "bearer-secret", "https://example.com/hook"}
    assert sum("http_config" in n for n in rendered.notes) == 2


def test_templates_are_not_secrets() -> None:
    rendered, _ = _render("""
route: {receiver: pd}
receivers:
  - name: pd
    pagerduty_configs: [{routing_key: k, client_url: '{{ template "x" . }}'}]
""")
    assert rendered.secrets == ("k",)


TIMERS = """
route:
  receiver: a
  group_wait: 30s
  group_interval: 5m
  routes:
    - receiver: b
      matchers: ['team="x"']
      repeat_interval: 1h
      routes:
        - receiver: c
          group_wait: 2s
receivers: [{name: a}, {name: b}, {name: c}]
"""


def test_timers_scaled_at_every_level_with_a_floor() -> None:
    rendered, doc = _render(TIMERS, time_scale=60)
    root = doc["route"]
    assert (root["group_wait"], root["group_interval"], root["repeat_interval"]) == (
        "1s", "5s", "4m")  # 4h: the default, made explicit and scaled
    child = root["routes"][0]
    assert child["repeat_interval"] == "1m" and "group_wait" not in child
    grandchild = child["routes"][0]
    assert grandchild["group_wait"] == "1s"  # 2s / 60 -> floor
    assert doc["global"]["resolve_timeout"] == "5s"
    assert any("route.routes[0].routes[0] group_wait 2s / 60 = 33ms, raised to the floor 1s"
               in n for n in rendered.notes)
    tree = rendered.route_tree
    leaf = tree.routes[0].routes[0]
    assert (leaf.group_wait_s, leaf.group_interval_s, leaf.repeat_interval_s) == (1, 5, 60)


def test_floor_never_lengthens_a_timer_and_k1_is_unchanged() -> None:
    _, doc = _render(TIMERS.replace("group_wait: 2s", "group_wait: 200ms"), time_scale=60)
    assert doc["route"]["routes"][0]["routes"][0]["group_wait"] == "200ms"
    rendered, doc = _render(TIMERS, time_scale=1)
    assert (doc["route"]["group_wait"], doc["route"]["group_interval"]) == ("30s", "5m")
    assert doc["route"]["repeat_interval"] == "4h"
    assert [n for n in rendered.notes if "floor" in n] == []


def test_templates_paths_resolved_against_the_source(tmp_path: Path) -> None:
    config = tmp_path / "am.yml"
    config.write_text("templates: ['tmpl/*.tmpl']\nroute: {receiver: a}\nreceivers: [{name: a}]\n")
    rendered = render_alertmanager_config(config, BASE, check=False)
    assert yaml.safe_load(rendered.yaml_text)["templates"] == [str(tmp_path / "tmpl/*.tmpl")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("route: {receiver: a}\nreciever: []\n", 2, "(the configuration):\n  Unknown key "
         "'reciever' -> did you mean 'receivers'?"),
        ("route: {receiver: a}\n", 1, "the configuration has no 'receivers'"),
        ("route: {receiver: a}\nreceivers:\n  - slack_configs: []\n", 3, "receiver has no name"),
        ("route: {receiver: a}\nreceivers:\n  - name: a\n    slack_configs: {api_url: x}\n", 4,
         "(receiver 'a' slack_configs):\n  Expected a list, got a mapping"),
        ("route: [a]\nreceivers: []\n", 1, "(route):\n  Expected a mapping, got a list"),
    ],
)
def test_bad_configs_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        render_alertmanager_text(text, "am.yml", BASE, check=False)
    assert info.value.line == line and message in str(info.value)


@needs_amtool
def test_amtool_rejection_becomes_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        render_alertmanager_text("route: {receiver: nobody}\nreceivers: [{name: a}]\n",
                                 "am.yml", BASE)
    assert 'undefined receiver "nobody" used in route' in str(info.value)
    assert "amtool check-config" in str(info.value)


def test_missing_amtool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingBinaryError) as info:
        render_alertmanager_config(SPEC_AM, BASE)
    assert "apt-get install -y prometheus-alertmanager" in str(info.value)


@needs_amtool
def test_spec_templates_that_alertmanager_cannot_render_are_found() -> None:
    rendered = render_alertmanager_config(SPEC_AM, BASE, time_scale=60)
    found = {(p.receiver, p.field) for p in rendered.template_problems}
    assert found == {
        ("pagerduty", "pagerduty_configs[0].description"),
        ("pagerduty", "pagerduty_configs[0].severity"),
        ("slack", "slack_configs[0].text"),
        ("slack-product", "slack_configs[0].text"),
    }
    problem = next(p for p in rendered.template_problems if p.receiver == "slack")
    assert "can't evaluate field Annotations in type template.Data" in problem.error
    assert str(problem).endswith("Alertmanager drops these notifications")


@needs_amtool
def test_group_level_and_user_templates_render(tmp_path: Path) -> None:
    (tmp_path / "team.tmpl").write_text('{{ define "team.title" }}[{{ .Status }}]{{ end }}')
    config = tmp_path / "am.yml"
    config.write_text("""
templates: ['*.tmpl']
route: {receiver: s}
receivers:
  - name: s
    slack_configs:
      - api_url: '<SLACK_WEBHOOK_URL>'
        title: '{{ template "team.title" . }} {{ template "slack.default.title" . }}'
        text: '{{ range .Alerts }}{{ .Annotations.summary }} {{ .Labels.severity }}{{ end }}'
        fields: [{title: sev, value: '{{ .CommonLabels.severity }}'}]
""")
    assert render_alertmanager_config(config, BASE).template_problems == ()
