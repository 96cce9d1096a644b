"""What the Programmamonitor DAG files share: default task arguments, schedules and the Assets they pass on.

Kept out of DAG discovery by ``.airflowignore``; the DAG files import it (the DAGs folder is on ``sys.path``).
Nothing here imports project code or does I/O, so parsing a DAG file stays fast.
"""
