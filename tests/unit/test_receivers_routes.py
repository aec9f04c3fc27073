"""Which receivers a label set reaches, checked against `amtool config routes test`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from harness.paths import SPEC_DIR
from harness.receivers.amtool import routes_test
from harness.receivers.render import render_alertmanager_config, render_alertmanager_text
from harness.receivers.routes import Matcher, parse_matchers, parse_route_tree, receivers_for

BASE = "http://127.0.0.1:9999"
needs_amtool = pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")

SPEC_CASES = [
    ({"alertname": "HighErrorRate", "severity": "critical", "team": "backend"}, ["pagerduty"]),
    ({"alertname": "HighLatency", "severity": "warning", "team": "backend"}, ["slack"]),
    # The spec's product route is never reached by its only product alert: the warning
    # route matches first and has no `continue`.
    ({"alertname": "InterventionCreationFailing", "severity": "warning", "team": "product"},
     ["slack"]),
    ({"alertname": "X", "severity": "critical", "team": "product"},
     ["pagerduty", "slack-product"]),
    ({"alertname": "X", "severity": "info", "team": "product"}, ["slack-product"]),
    ({"alertname": "X"}, ["default"]),
]

NESTED = """
route:
  receiver: root
  routes:
    - match_re: {service: 'api|worker'}
      receiver: svc
      continue: true
      routes:
        - matchers: ['severity=~"crit.*"', 'env!="staging"']
          receiver: svc-page
        - matchers: ['{team="a", tier!~"db|cache"}']
          receiver: team-a
    - matchers: [env="staging"]
      receiver: staging
    - matchers: ['severity!="none"']
      receiver: catch
receivers: [{name: root}, {name: svc}, {name: svc-page}, {name: team-a}, {name: staging},
            {name: catch}]
"""
NESTED_CASES = [
    {"service": "api", "severity": "critical"},
    {"service": "api", "severity": "critical", "env": "staging"},
    {"service": "worker", "team": "a"},
    {"service": "worker", "team": "a", "tier": "db"},
    {"service": "apix", "severity": "critical"},  # regexes are anchored
    {"service": "api", "severity": "none"},
    {"env": "staging"},
    {"severity": "none"},
]


@pytest.mark.parametrize(("labels", "expected"), SPEC_CASES)
def test_spec_routes(labels: dict[str, str], expected: list[str]) -> None:
    tree = parse_route_tree(yaml.safe_load((SPEC_DIR / "alertmanager.yml").read_text()))
    assert receivers_for(tree, labels) == expected


@needs_amtool
def test_spec_routes_agree_with_amtool(tmp_path: Path) -> None:
    rendered = render_alertmanager_config(SPEC_DIR / "alertmanager.yml", BASE)
    config = tmp_path / "am.yml"
    config.write_text(rendered.yaml_text)
    for labels, expected in SPEC_CASES:
        assert routes_test(config, labels) == expected, labels


@needs_amtool
def test_nested_routes_agree_with_amtool(tmp_path: Path) -> None:
    rendered = render_alertmanager_text(NESTED, "nested.yml", BASE)
    config = tmp_path / "am.yml"
    config.write_text(rendered.yaml_text)
    for labels in NESTED_CASES:
        ours = receivers_for(rendered.route_tree, labels)
        assert ours == routes_test(config, labels), labels


def test_matched_routes_carry_their_path_and_timers() -> None:
    tree = parse_route_tree(yaml.safe_load(NESTED))
    page, catch = tree.match({"service": "api", "severity": "critical"})
    assert (page.receiver, page.path, page.group_wait_s) == (
        "svc-page", "route.routes[0].routes[0]", 30)
    assert (catch.receiver, catch.path) == ("catch", "route.routes[2]")  # after continue
    assert tree.describe()[0].startswith("(everything) -> root  [wait 30s")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('severity="critical"', [Matcher("severity", "=", "critical")]),
        ("severity=critical", [Matcher("severity", "=", "critical")]),
        ('{a=~"x|y", b!="q,r"}', [Matcher("a", "=~", "x|y"), Matcher("b", "!=", "q,r")]),
        ('path!~"/api/\\\\d+"', [Matcher("path", "!~", "/api/\\d+")]),
    ],
)
def test_parse_matchers(text: str, expected: list[Matcher]) -> None:
    assert parse_matchers(text) == expected


def test_bad_matcher() -> None:
    with pytest.raises(ValueError, match="bad matcher"):
        parse_matchers("severity")


def test_missing_label_is_empty_string() -> None:
    assert Matcher("env", "=", "").matches({})
    assert Matcher("env", "!=", "prod").matches({})
    assert Matcher("env", "=~", ".*").matches({})


def test_group_key_takes_the_routes_group_by_labels_the_alert_has() -> None:
    tree = parse_route_tree(
        {"route": {"receiver": "a", "group_by": ["alertname", "queue"],
                   "routes": [{"receiver": "b", "group_by": ["..."]}]}}
    )
    labels = {"alertname": "A", "severity": "critical"}
    assert tree.group_key(labels) == ("route", (("alertname", "A"),))
    # `...` groups by every label; each route's groups are its own.
    assert tree.routes[0].group_key(labels) == ("route.routes[0]", tuple(sorted(labels.items())))
