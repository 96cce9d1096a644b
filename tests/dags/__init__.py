"""Tests of the DAGs: integrity, the transform DAG and a night through Airflow, the real-scheduler chain (e2e)."""
