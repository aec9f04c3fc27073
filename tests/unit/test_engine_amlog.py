from harness.engine.amlog import delivery_failures

# A line from Alertmanager 0.25 given the spec's pagerduty receiver (captured in a real run).
LINE = (
    'level=error ts=2026-11-27T19:32:53.001Z caller=dispatch.go:354 component=dispatcher '
    'msg="Notify for alerts failed" num_alerts=1 err="pagerduty/pagerduty[0]: notify retry '
    "canceled due to unrecoverable error after 1 attempts: failed to template PagerDuty v2 "
    'message: template: :1:45: executing \\"\\" at <.Annotations.summary>: can\'t evaluate '
    'field Annotations in type *template.Data"\n'
)


def test_reason_per_receiver_once() -> None:
    failures = delivery_failures(LINE * 3 + "level=info msg=other\n")
    assert list(failures) == ["pagerduty"]
    (reason,) = failures["pagerduty"]
    assert reason.startswith("pagerduty: notify retry canceled")
    assert 'executing "" at <.Annotations.summary>' in reason


def test_nothing_failed() -> None:
    assert delivery_failures('level=info msg="Completed loading of configuration file"') == {}
