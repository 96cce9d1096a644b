"""Tests on the published demo night (`demo_night`): the marts, ranks, small numbers, lineage, the report."""
