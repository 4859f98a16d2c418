"""Metric definitions: versions, two-party sign-off, proposals, the glossary."""
