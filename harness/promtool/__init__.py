"""promtool unit-test files (``harness promtool-test``): read completely, run through
``promtool test rules`` per case and through the offline evaluator on backfilled blocks,
and compared case by case.

- ``notation``, ``testfile``, ``checks``: the format, with file:line errors;
- ``official``: the promtool leg; ``offline``, ``replay``, ``instant``: the offline leg;
  ``live``: the live leg (series exporter, Prometheus, Alertmanager, at time scale k);
- ``notifications``, ``routing``: with ``--alertmanager-config``, the live replay's alerts
  through the user's routes to the capture receiver, and the ``exp_notifications`` of
  the side file ``<test>.notifications.yml`` (promtool refuses unknown keys);
- ``gotemplate``, ``gofmt``: alert labels and annotations rendered as Prometheus does;
- ``report``, ``run``: the table per case and the JSON.

Layering: imports errors, durations, yamlsource, rules, receivers, stack, verdicts,
offline.
"""
