"""Metric CSVs in: read, checked against the agreed definitions, stored all or nothing."""
