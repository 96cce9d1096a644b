"""Almelo Programmamonitor: source clients, the shared loader, validation and the CLI."""

__version__ = "0.1.0"
