"""Helpers shared by the test modules (a test module imports helpers from here, never from another test module):
nights (the warehouses built once per run), settings (the settings factory), marts (snapshots and fingerprints),
recordings (CBS releases edited in a copy), loads (loads as child processes), airflow_cli and airflow_cluster,
ledger (the reliability ledger), fault_server (a misbehaving CBS server), privacy (finding BSNs)."""
