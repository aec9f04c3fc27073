"""Helpers shared by every test folder (imported as ``tests.support.<module>``)."""
