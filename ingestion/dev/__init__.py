"""Demo and development machinery, never part of a live night: the demo drop folders (``demo``), the synthetic
Werkplein generator (``generate``), the recorded CBS API (``recorded``, ``recordings/``), hand-written samples
(``samples/``), the embedded PostgreSQL of ``make run``/``make test`` (``embedded_pg``) and scratch databases for
tests and benchmarks (``scratch``). The runtime reaches in at two places only, both behind SOURCE_MODE=recorded:
``ingestion.http`` mounts the recorded API, ``ingestion.pipeline`` seeds the demo drop folders."""
