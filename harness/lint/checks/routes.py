"""am-route-shadowed: routes that never receive an alert because an earlier sibling
without `continue: true` takes it first (Alertmanager stops at the first matching
sibling).

Statically, a route is shadowed when every alert it matches also matches an earlier
sibling (a catch-all, or matchers it implies). With rule files in the same run, each
alert's labels are routed too: a route that matches some of those alerts but receives
none of them, because earlier siblings take them all, is reported with their names
(the spec's team=product route behind severity=warning). A route that still receives
some alerts is a choice of priority, not a finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.lint.amdoc import AmDoc
from harness.lint.labels import infer
from harness.lint.model import Finding, LintOptions
from harness.receivers.routes import Matcher, Route, parse_route_tree
from harness.rules import promql
from harness.rules.model import AlertRule

CHECK = "am-route-shadowed"
# An alert's labels: known values, or None where the expression decides the value.
AlertLabels = Mapping[str, str | None]


def check(am: AmDoc, alerts: Sequence[AlertRule], options: LintOptions) -> list[Finding]:
    try:
        tree = parse_route_tree(am.doc)
    except (ValueError, TypeError):
        return []  # amtool check-config reports a broken tree
    labelled = [(a.name, _alert_labels(a, options)) for a in alerts]
    found: list[Finding] = []
    for parent in tree.walk():
        for j, route in enumerate(parent.routes):
            earlier = parent.routes[:j]
            blocker = next((r for r in earlier if not r.continue_ and _implies(route, r)), None)
            if blocker is not None:
                found.append(_finding(am, route, blocker, "every alert it matches"))
                continue
            for path, names in _taken(route, earlier, labelled, tree, parent).items():
                taker = next(r for r in earlier if r.path == path)
                what = "alert" + ("s " if len(names) > 1 else " ") + ", ".join(names)
                found.append(_finding(am, route, taker, what))
    return found


def _taken(route: Route, earlier: Sequence[Route], labelled: Sequence[tuple[str, AlertLabels]],
           tree: Route, parent: Route) -> dict[str, list[str]]:
    """Earlier sibling path -> alerts it takes, if the route matches some of the linted
    alerts and receives none of them (a route that still receives some is a choice)."""
    taken: dict[str, list[str]] = {}
    for name, labels in labelled:
        reach = _reaches(tree, parent, labels)
        if reach is False or (match := _matches(route, labels)) is False:
            continue
        if reach is None or match is None:
            return {}  # this alert might arrive: not provably dead
        taker = None
        for sibling in earlier:
            got = _matches(sibling, labels)
            if got is None:
                return {}
            if got and not sibling.continue_:
                taker = sibling
                break
        if taker is None:
            return {}  # the route receives this alert
        taken.setdefault(taker.path, []).append(name)
    return taken


def _alert_labels(alert: AlertRule, options: LintOptions) -> dict[str, str | None]:
    """The rule's labels and alertname; labels from the expression with unknown values."""
    labels: dict[str, str | None] = {}
    result = infer(promql.parse(alert.expr), options.catalogue)
    if result is not None:
        labels |= dict.fromkeys(result.present)
        if result.possible is None:
            labels["*"] = None  # any other label may be there too
    for name, value in alert.labels.items():
        labels[name] = None if "{{" in value else value  # a template: known at runtime only
    return labels | {"alertname": alert.name}


def _matcher(m: Matcher, labels: AlertLabels) -> bool | None:
    if m.name in labels:
        value = labels[m.name]
        return None if value is None else m.matches({m.name: value})
    return None if "*" in labels else m.matches({})


def _matches(route: Route, labels: AlertLabels) -> bool | None:
    results = [_matcher(m, labels) for m in route.matchers]
    if False in results:
        return False
    return None if None in results else True


def _reaches(tree: Route, parent: Route, labels: AlertLabels) -> bool | None:
    """All routes from the root down to parent match (siblings of ancestors that take
    the alert first are reported at their own level)."""
    chain = [r for r in tree.walk() if parent.path.startswith(r.path)]
    results = [_matches(r, labels) for r in chain]
    return False if False in results else (None if None in results else True)


def _implies(route: Route, earlier: Route) -> bool:
    """Every alert matching ``route`` matches ``earlier`` (judged on equality matchers)."""
    own = {m.name: m.value for m in route.matchers if m.op == "="}
    return all(m in route.matchers or (m.name in own and m.matches(own))
               for m in earlier.matchers)


def _describe(route: Route) -> str:
    what = ", ".join(map(str, route.matchers)) or "(everything)"
    return f"{route.path} ({what} -> {route.receiver!r})"


def _finding(am: AmDoc, route: Route, taker: Route, what: str) -> Finding:
    return Finding(
        CHECK, am.path, route.path,
        f"{_describe(route)} never receives {what}: the earlier sibling "
        f"{_describe(taker)} matches first and has no `continue: true`, and Alertmanager "
        "stops at the first matching sibling.",
        f"Put the more specific route before {taker.path}, or give {taker.path} "
        "`continue: true` if both receivers should be notified.",
        line=am.line(route.path),
    )
