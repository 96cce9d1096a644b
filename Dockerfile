# syntax=docker/dockerfile:1
# Almelo Programmamonitor: one image for every Airflow component (api-server, scheduler, dag-processor, triggerer,
# Celery worker) and for the one-shot airflow-init. The DAGs, dbt project and expectation suites are baked in,
# so a deploy is an image tag: what ran is exactly what was built and tested.
#
# Tag pinned (no floating "3.11-slim") so rebuilds are reproducible; bump deliberately for security patches.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIRFLOW_HOME=/opt/airflow

# postgresql-client: pg_isready/psql for airflow-init (warehouse roles) and for operators in a shell.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

# uid 50000 is the uid of Airflow's official image, so existing volume ownership conventions carry over.
RUN groupadd --system --gid 50000 airflow \
 && useradd --system --uid 50000 --gid airflow --home-dir /opt/airflow --no-create-home --shell /bin/bash airflow

WORKDIR /opt/airflow

# The whole dependency tree at its exact pins first (its own layer: cached until the lock changes) ...
COPY requirements.lock /tmp/requirements.lock
RUN pip install -r /tmp/requirements.lock \
 && rm /tmp/requirements.lock

# ... then the project itself, without letting pip resolve anything beyond the lock.
COPY pyproject.toml ./
COPY ingestion/ ./ingestion/
RUN pip install --no-deps . \
 && rm -rf build ./*.egg-info \
 && pip check

COPY dags/ ./dags/
COPY dbt_project/ ./dbt_project/
# The manifest the transform DAG renders its dbt tasks from (dbt parse needs no warehouse).
RUN DBT_PROJECT_DIR=/opt/airflow/dbt_project PROGRAMMAMONITOR_LOCAL_DIR=/tmp/pm python -m ingestion manifest \
 && rm -rf /tmp/pm
COPY expectations/ ./expectations/
COPY docker/airflow-init.sh ./docker/

# Code stays root-owned (read-only for the runtime user). Only the mount points are the airflow user's: Docker
# seeds an empty named volume with the image directory's contents and ownership, so the volumes come up writable.
# /data/drop holds one folder per file source (uwv, kennispunt, werkplein, handmatig).
RUN mkdir -p /opt/airflow/logs /data/drop/uwv /data/drop/kennispunt /data/drop/werkplein /data/drop/handmatig \
             /data/reports /data/local \
 && chown airflow:airflow /opt/airflow /opt/airflow/logs \
 && chown -R airflow:airflow /data

USER airflow

# docker-compose.yml gives every service its own command; this default only shows the image works.
CMD ["airflow", "version"]
