"""Dashboard queries checked against ground truth (``pytest -m queries``).

``checks.yaml`` says what each panel should show and where the truth comes from;
``live.run_live`` brings a stack up, drives ``phases`` and evaluates every query;
``LiveRun.verdict`` judges one query (``judge``) against its truth (``truth``).
"""
