"""Operator tools, run by hand or by a maintenance DAG, never by the load itself: ``doctor`` (is everything in
place), ``explain`` (where a mart value came from), ``summary`` (the night in a few lines), ``progress`` (what runs
now), ``retention`` (removing what is past its keeping time). They may use the whole runtime; the runtime never
imports them."""
