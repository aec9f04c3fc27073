"""Alert-validation harness: prove Prometheus alerts fire, resolve and notify end to end."""

__version__ = "0.1.0"
