"""Shared Scorecard's domain package: catalog, store, ingest, status and charts.

Nothing in this package imports streamlit; ``tests/test_import_hygiene.py`` proves it.
"""

__version__ = "0.1.0"
