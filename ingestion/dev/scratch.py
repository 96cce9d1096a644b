"""Scratch databases for the tests and the benchmarks: a new migrated warehouse on a server, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import sql

from ingestion.warehouse import connect, migrate, with_database


@contextmanager
def throwaway_warehouse(
    server_url: str, prefix: str, template: str | None = None, *, migrated: bool = True
) -> Iterator[str]:
    """A new database on the server, migrated; dropped afterwards (even if connections are still open). For tests
    and benchmarks: the server's user needs CREATEDB. With ``template``, a copy of that database (nobody may be
    connected to it); `migrate` then restores what a copy does not carry (grants on the database itself). With
    ``migrated=False``, an empty database: a warehouse nobody ran `python -m ingestion migrate` on."""
    dbname = f"{prefix}_{uuid.uuid4().hex[:10]}"
    create = sql.SQL("create database {}").format(sql.Identifier(dbname))
    if template:
        create += sql.SQL(" template {}").format(sql.Identifier(template))
    with connect(server_url, autocommit=True) as conn:
        conn.execute(create)
    url = with_database(server_url, dbname)
    try:
        if migrated:
            migrate(url)
        yield url
    finally:
        with connect(server_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{dbname}" with (force)')
