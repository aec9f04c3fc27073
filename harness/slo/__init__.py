"""Service level objectives (``pytest -m slo``): the SLO file (``model``), burn-rate rules
generated from it (``burnrate``), and the objectives checked live (``check``, ``live``)."""
