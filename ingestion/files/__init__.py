"""Files from drop folders: reading them (``reader``), the contract a source fulfils (``contract``), and loading a
folder (``drop``: what is new, one batch per file, quarantine). Imports run reader -> contract -> sources -> drop."""
