"""exp_notifications: the side file next to a promtool test file, checked against the test's
cases and the Alertmanager configuration's receivers (file:line errors, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import EXIT_BAD_INPUT
from harness.promtool.notifications import load_expectations
from harness.promtool.run import check_file
from harness.promtool.testfile import PromtoolTestError, load_test_file, side_file

DATA = Path(__file__).resolve().parents[1] / "data" / "promtool-notify"
RECEIVERS = ["default", "pager", "tickets"]
TWO_GROUPS = """rule_files: [rules.yml]
tests:
  - name: one
    interval: 1m
    input_series: [{series: 'disk_used_ratio{instance="db1"}', values: '1x10'}]
    alert_rule_test:
      - eval_time: 5m
        alertname: DiskFull
        exp_alerts: [{exp_labels: {severity: page, instance: db1}}]
      - {eval_time: 6m, alertname: QueueSlow}
  - name: two
    interval: 1m
    input_series: [{series: 'disk_used_ratio{instance="db1"}', values: '1x10'}]
    alert_rule_test:
      - eval_time: 5m
        alertname: DiskFull
        exp_alerts: [{exp_labels: {severity: page, instance: db1}}]
"""


def _two_groups(tmp_path: Path, side: str) -> Path:
    (tmp_path / "rules.yml").write_text((DATA / "rules.yml").read_text())
    test = tmp_path / "two.test.yml"
    test.write_text(TWO_GROUPS)
    side_file(test).write_text(side)
    return test


def _refused(tmp_path: Path, side: str) -> PromtoolTestError:
    test = _two_groups(tmp_path, side)
    with pytest.raises(PromtoolTestError) as info:
        load_expectations(side_file(test), load_test_file(test), RECEIVERS)
    assert info.value.exit_code == EXIT_BAD_INPUT
    assert info.value.path == side_file(test)
    return info.value


def test_side_file_sits_next_to_the_test_file() -> None:
    assert side_file(Path("a/alerts.test.yml")) == Path("a/alerts.test.notifications.yml")
    assert side_file(Path("b.yaml")) == Path("b.notifications.yml")


def test_expectations_name_their_case_and_receivers() -> None:
    test_file = load_test_file(DATA / "alerts.test.yml")
    disk, queue = load_expectations(DATA / "alerts.test.notifications.yml", test_file, RECEIVERS)
    assert (disk.line, disk.group, disk.case.alertname, disk.case.line) == (2, 0, "DiskFull", 14)
    assert (disk.receivers, disk.not_receivers) == (("pager",), ("tickets", "default"))
    assert disk.key == "tests[0].alert_rule_test[0]"
    assert [a.labels for a in queue.alerts] == [
        {"severity": "ticket", "queue": "mail", "alertname": "QueueSlow"}]
    assert queue.where.endswith("alerts.test.notifications.yml:7")


@pytest.mark.parametrize(("side", "line", "words"), [
    ("exp_notifications:\n  - {group: two, eval_time: 5m, alertname: DiskFull,\n"
     "     receivers: [pagr]}\n", 3, "Unknown receiver 'pagr' -> did you mean 'pager'?"),
    ("exp_notifications:\n  - eval_time: 5m\n    alertname: DiskFull\n    reciever: [pager]\n",
     4, "Unknown key 'reciever' -> did you mean 'receivers'?"),
    ("exp_notifications:\n  - {alertname: DiskFull, receivers: [pager]}\n", 2,
     "An expectation needs 'eval_time'"),
    ("exp_notifications:\n  - {eval_time: 5mm, alertname: DiskFull, receivers: [pager]}\n", 2,
     "5mm"),
    ("exp_notifications:\n  - {eval_time: 7m, alertname: DiskFull, receivers: [pager]}\n", 2,
     "No alert_rule_test for DiskFull at eval_time 420s"),
    ("exp_notifications:\n  - {eval_time: 5m, alertname: DiskFull, receivers: [pager]}\n", 2,
     "DiskFull at 300s is a case of several test groups (0, 1)"),
    ("exp_notifications:\n  - {group: three, eval_time: 5m, alertname: DiskFull}\n", 2,
     "Unknown test group 'three'"),
    ("exp_notifications:\n  - {group: 0, eval_time: 5m, alertname: DiskFull}\n", 2,
     "needs 'receivers' or 'not_receivers'"),
    ("exp_notifications:\n  - {group: 0, eval_time: 5m, alertname: DiskFull,\n"
     "     receivers: [pager], not_receivers: [pager]}\n", 2,
     "Receiver 'pager' is in both receivers and not_receivers"),
    ("exp_notifications:\n  - {group: 0, eval_time: 6m, alertname: QueueSlow,\n"
     "     receivers: [tickets]}\n", 2, "expects no QueueSlow alert at 360s at all"),
    ("exp_notifications:\n  - {group: 0, eval_time: 5m, alertname: DiskFull,\n"
     "     exp_labels: {instance: db2}, receivers: [pager]}\n", 2,
     "expects no DiskFull alert at 300s with these exp_labels"),
    ("", None, "The notification expectations file is empty"),
    ("exp_notification: []\n", 1, "Unknown key 'exp_notification'"),
])
def test_bad_expectations_are_refused_at_their_line(tmp_path: Path, side: str,
                                                    line: int | None, words: str) -> None:
    error = _refused(tmp_path, side)
    assert error.line == line
    assert words in str(error)


def test_exp_notifications_in_the_test_file_points_to_the_side_file(tmp_path: Path) -> None:
    test = _two_groups(tmp_path, "")
    test.write_text(TWO_GROUPS.replace("      - {eval_time: 6m, alertname: QueueSlow}",
                                       "      - {eval_time: 6m, alertname: QueueSlow,\n"
                                       "         exp_notifications: []}"))
    with pytest.raises(PromtoolTestError) as info:
        load_test_file(test)
    assert info.value.line == 11
    assert "promtool refuses unknown keys" in str(info.value)
    assert f"put it in {side_file(test)}" in str(info.value)


def test_alertmanager_config_needs_the_live_leg() -> None:
    with pytest.raises(PromtoolTestError, match="it needs --live K"):
        check_file(DATA / "alerts.test.yml", alertmanager_config=DATA / "alertmanager.yml")


def test_side_file_without_alertmanager_config_is_a_warning() -> None:
    test_file, routing = check_file(DATA / "alerts.test.yml", live_k=60)
    assert routing is None
    assert [w for w in test_file.warnings if "need --alertmanager-config" in w]


def test_routing_reads_the_side_file_and_the_rendered_routes() -> None:
    _, routing = check_file(DATA / "alerts.test.yml", live_k=60,
                            alertmanager_config=DATA / "alertmanager.yml")
    assert routing is not None
    assert routing.side_file == DATA / "alerts.test.notifications.yml"
    assert len(routing.expectations) == 2
    assert routing.config.receivers == RECEIVERS
    assert routing.config.route_tree.group_interval_s == 5.0  # 5m / 60
