"""Development machinery shared by the tests and the benchmarks: not part of the nightly runtime, nor of the
installed ``ingestion`` package (pyproject installs ``ingestion*`` only; the Docker image copies ``ingestion/``)."""
