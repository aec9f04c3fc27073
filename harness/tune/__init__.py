"""`harness tune`: candidate variants of one alert evaluated over recorded runs.

``candidates`` builds the grid, ``measure`` scores each candidate on each recorded
scenario against the scenario's expectations, ``output`` prints the table and JSON;
the HTML page is ``harness.report.tune_html``.
"""
