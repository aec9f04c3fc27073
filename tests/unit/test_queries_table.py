"""The check table covers every panel of the project's dashboards, names only panels that
exist, and claims a spec defect only where the corrected query differs."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.queries.sources import TRUTHS
from harness.queries.table import load_checks, plan_checks, project_queries


def test_every_dashboard_query_has_a_check() -> None:
    planned = plan_checks(project_queries(), load_checks())
    assert len(planned) == len(project_queries())
    assert {p.source for p in planned} == {"spec", "corrected"}
    ids = [p.test_id for p in planned]
    assert len(ids) == len(set(ids))


def test_no_check_for_a_panel_that_does_not_exist() -> None:
    panels = {
        (p.dashboard, p.query.panel.title) for p in plan_checks(project_queries(), load_checks())
    }
    assert set(load_checks()) == panels


def test_spec_defects_only_where_the_corrected_query_differs() -> None:
    planned = plan_checks(project_queries(), load_checks())
    queries: dict[tuple[str, str, str], dict[str, str]] = {}
    for p in planned:
        key = (p.dashboard, p.query.panel.title, p.query.target.ref_id)
        queries.setdefault(key, {})[p.source] = p.query.expr
    for p in planned:
        if p.expected_to_fail:
            versions = queries[(p.dashboard, p.query.panel.title, p.query.target.ref_id)]
            assert versions["spec"] != versions.get("corrected"), p.test_id


def test_every_truth_is_registered_and_judged_checks_name_one() -> None:
    for check in load_checks().values():
        assert check.truth == "none" or check.truth in TRUTHS
        assert check.truth != "none" or check.why


def test_a_panel_missing_from_the_table_is_named(tmp_path: Path) -> None:
    checks = load_checks()
    del checks[("API Overview", "Error rate (%)")]
    with pytest.raises(InputError, match="API Overview / Error rate"):
        plan_checks(project_queries(), checks)


def test_a_bad_table_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "checks.yaml"
    bad.write_text(
        "checks:\n  - dashboard: A\n    panel: B\n    truth: no_such\n    phase: steady\n"
    )
    with pytest.raises(InputError) as info:
        load_checks(bad)
    assert "line 2" in str(info.value) and "Unknown truth 'no_such'" in str(info.value)
