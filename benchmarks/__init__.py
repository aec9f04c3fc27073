"""Benchmarks: ``python -m benchmarks`` (``make bench``) runs each and writes the figures.

A benchmark is a module in this folder with two top-level names:

    NAME = "load_vs_wrk"                   # file stem under results/, table heading
    def run(out_dir: Path) -> dict: ...    # measure; return JSON-able results

The returned dict may hold ``"figures"``: a flat mapping of label -> value, the few
numbers worth a line in the markdown table (ratios measured in the same run, where
they compare); without it, the dict's top-level numbers are used. A benchmark that
cannot run here raises ``Skipped("reason")``. Modules are found by reading their source
(never by importing them), so locustfiles living here stay unimported (gevent).
"""

from __future__ import annotations


class Skipped(Exception):
    """The benchmark cannot run on this machine (a missing program, ...)."""
