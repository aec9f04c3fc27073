"""promtool unit-test files (``harness promtool-test``): read completely, run through
``promtool test rules`` per case and through the offline evaluator on backfilled blocks,
and compared case by case.

- ``notation``, ``testfile``, ``checks``: the format, with file:line errors;
- ``official``: the promtool leg; ``offline``, ``replay``, ``instant``: the offline leg;
  ``live``: the live leg (series exporter, Prometheus, Alertmanager, at time scale k);
- ``gotemplate``, ``gofmt``: alert labels and annotations rendered as Prometheus does;
- ``report``, ``run``: the table per case and the JSON.

Layering: imports errors, durations, yamlsource, rules, offline, stack.
"""
