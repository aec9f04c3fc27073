"""Verdicts: timing windows as pure functions, and their judgement.

- ``windows``: when an alert may fire, resolve and notify, relative to a reference.
- ``verdict``: early / on time / late / never (and quiet / fired for ``never_fires``).
- ``timestamps``: instants as Prometheus and Alertmanager write them.
"""
