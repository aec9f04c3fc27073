"""The system under test: an API and a worker instrumented like the spec (see README.md)."""
