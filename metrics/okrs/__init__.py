"""Shared OKRs: objectives, progress, wins and the weekly check-in brief."""
