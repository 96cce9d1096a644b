"""CBS StatLine, the one API source. Imports run one way: ``odata`` (client, checks, raw metadata rows) and
``contract`` (the unit contract) and ``table_config`` (cbs_tables.yml) first, then ``v3`` and ``v4`` (each API's
requests and rows), then ``tables`` (loading a table as one batch) and ``preflight`` (the night's metadata check).
"""
