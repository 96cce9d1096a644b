"""Tests against a real PostgreSQL: loader, files, validation, transform, access, pipeline, retention, doctor."""
