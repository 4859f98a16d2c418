"""First start and every piece of demo data."""
