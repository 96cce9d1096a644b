"""Benchmarks (`make bench`): where the time of ingest, validation and refresh goes, each figure printed beside a
baseline measured in the same run. Not part of `make test` (tests/bench/test_bench.py runs a quick pass)."""
