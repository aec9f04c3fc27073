"""Every PromQL query of the spec's and the corrected dashboards, run against the live
stack under load and compared with ground truth (harness/queries/checks.yaml).

A query of the spec whose panel measures something other than its title is a strict
xfail that must fail *with numbers on both sides* (``raises=MismatchShown``): a spec
query that passes, or fails only because it returned no data, fails the suite.
"""

from __future__ import annotations

import pytest

from harness.queries.live import LiveRun
from harness.queries.table import PlannedQuery, load_checks, plan_checks, project_queries

pytestmark = [pytest.mark.queries, pytest.mark.integration]


class MismatchShown(AssertionError):
    """The query returned a number, the truth is known, and they disagree."""


class NoAnswer(AssertionError):
    """The query failed, returned no data, or could not be judged."""


def _param(pq: PlannedQuery) -> object:
    marks = []
    if pq.check.known_issue and pq.source == "spec":
        marks.append(
            pytest.mark.xfail(
                strict=True, raises=NoAnswer, reason=f"known issue: {pq.check.known_issue}"
            )
        )
    elif pq.expected_to_fail:
        marks.append(
            pytest.mark.xfail(
                strict=True, raises=MismatchShown, reason=f"spec defect: {pq.expected_to_fail}"
            )
        )
    return pytest.param(pq, id=pq.test_id, marks=marks)


@pytest.mark.parametrize("pq", [_param(pq) for pq in plan_checks(project_queries(), load_checks())])
def test_panel_query(pq: PlannedQuery, live_queries: LiveRun) -> None:
    verdict = live_queries.verdict(pq)
    print(verdict.message)
    if verdict.passed:
        return
    if verdict.query_value is not None and verdict.truth_value is not None:
        raise MismatchShown(verdict.message)
    raise NoAnswer(verdict.message)
