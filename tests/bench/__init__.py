"""`make bench` at quick sizes: every benchmark runs end to end (the figures are not asserted)."""
