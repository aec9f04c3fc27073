"""Offline rule evaluation: a rule's alerts over a time range of recorded data.

PromQL stays in Prometheus: the expression's values come from range queries at the
rule group's evaluation interval (``source``, ``evaluate``); Prometheus's alerting state
machine is replayed over them in Python (``statemachine``). ``prometheus`` starts a
throwaway Prometheus over a data directory; ``backfill`` writes synthetic history into one.
"""
