"""The run engine: one scenario on one fresh stack, from load and faults to verdicts."""
