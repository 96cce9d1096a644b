"""Failure handling: the bad-input corpus, hostile input, HTTP faults, crashes, concurrency, publish gates."""
