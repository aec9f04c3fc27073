"""pytest plugin (entry point `alert_harness`): only wires hooks; machinery lives elsewhere."""
