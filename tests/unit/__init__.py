"""Tests that need no database: pure functions, parsers, configuration, the CBS clients over a local HTTP server."""
