"""Rule files: load (``load``), rewrite for a time scale (``scale``, ``rewrite``), check and
unit-test with promtool (``promtool``). PromQL goes through promql_parser (``promql``)."""
