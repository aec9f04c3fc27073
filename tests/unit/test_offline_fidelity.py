"""Fidelity compares like with like: offline episodes read as the live history reads
ALERTS at the run's end (harness.engine.history). Found on the suite's recording: an
alert resolving after the run's last phase, 1.5 s later offline than live, because live
closes it one interval after its last firing evaluation within the run."""

from __future__ import annotations

from harness.offline.fidelity import _last_slot, as_live, compare

E = 0.5


def test_the_last_slot_at_or_before_an_instant_on_the_groups_grid() -> None:
    assert _last_slot(100.3, E, 7) == 100.007
    assert _last_slot(100.007, E, 7) == 100.007
    assert _last_slot(100.006, E, 7) == 99.507


def test_a_resolution_after_the_run_is_closed_as_live_closes_it() -> None:
    run_end, slot = 612.9, 612.578
    assert as_live(606.578, 614.578, run_end, slot, E) == (606.578, 613.078)
    assert as_live(606.578, 612.078, run_end, slot, E) == (606.578, 612.078)  # in the run
    assert as_live(606.578, None, run_end, slot, E) == (606.578, None)  # still firing
    assert as_live(613.078, None, run_end, slot, E) is None  # fired after the run


def test_compare_accepts_one_interval_and_refuses_more() -> None:
    live = {"{}": [(10.0, 20.0)]}
    ok = compare("A", live, {"{}": [(10.5, 20.5)]}, E, end_s=30.0)
    assert ok.ok and ok.max_diff_s == 0.5
    bad = compare("A", live, {"{}": [(10.0, 21.5)]}, E, end_s=30.0)
    assert not bad.ok and "more than E" in bad.problems[0]
    missing = compare("A", live, {}, E, end_s=30.0)
    assert missing.problems == ("{}: 1 live firing(s), 0 offline",)
