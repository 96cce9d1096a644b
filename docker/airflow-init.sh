#!/usr/bin/env bash
# airflow-init: one-shot setup before the Airflow services start (docker-compose.yml, service airflow-init).
# Runs on every `docker compose up`; every step is idempotent, so a deploy of a new image also upgrades the schemas.
set -euo pipefail

: "${WAREHOUSE_URL:?WAREHOUSE_URL must be set}"

echo "==> airflow db migrate (Airflow metadata DB)"
airflow db migrate

echo "==> pools: cbs_api limits concurrent calls to the CBS OData API (dags/source_cbs.py)"
airflow pools set cbs_api "${CBS_API_POOL_SLOTS:-2}" "Concurrent calls to the CBS OData API"

echo "==> warehouse schema migrations and access: role bi_reader, grants, BI login (ingestion/sql)"
python -m ingestion migrate

echo "==> init done"
