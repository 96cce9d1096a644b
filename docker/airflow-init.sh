#!/usr/bin/env bash
# airflow-init: one-shot setup before the Airflow services start (docker-compose.yml, service airflow-init).
# Runs on every `docker compose up`; every step is idempotent, so a deploy of a new image also upgrades the schemas.
set -euo pipefail

: "${WAREHOUSE_URL:?WAREHOUSE_URL must be set}"

echo "==> airflow db migrate (Airflow metadata DB)"
airflow db migrate

echo "==> warehouse schema migrations (ingestion/sql)"
python -m ingestion migrate

echo "==> warehouse roles"
psql "$WAREHOUSE_URL" --no-psqlrc --quiet -v ON_ERROR_STOP=1 -f "$(dirname "$0")/warehouse-roles.sql"

echo "==> init done"
