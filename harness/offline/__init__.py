"""Offline rule evaluation: a rule's alerts over a time range of recorded data.

PromQL stays in Prometheus: the expression's values come from range queries at the
rule group's evaluation interval (``source``, ``evaluate``); Prometheus's alerting state
machine is replayed over them in Python (``statemachine``). ``prometheus`` starts a
throwaway Prometheus over a data directory; ``backfill`` writes synthetic history into one.
``capture`` records a live scenario's Prometheus into its report folder (``recording``
reads it back), ``fidelity`` proves offline == live ``ALERTS`` on it, ``prune`` drops
old runs' recordings.
"""
