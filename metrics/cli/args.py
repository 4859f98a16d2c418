"""Command-line argument types shared by several commands, declared once."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(text: str) -> dt.date:
    """A day written YYYY-MM-DD, or a usage error naming the text."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from exc


def add_user(parser: argparse.ArgumentParser, who: str, *, required: bool = True) -> None:
    """--user EMAIL: the person acting, looked up in the people table (``who`` says in what role)."""
    parser.add_argument("--user", required=required, metavar="EMAIL", help=f"email of {who}")


def add_period(parser: argparse.ArgumentParser) -> None:
    """--period: a quarter, a month or a week, as people write them."""
    parser.add_argument("--period", required=True, help="2026-Q3, 2026-11 or 2026-W47")


def add_as_of(parser: argparse.ArgumentParser, default: str = "today") -> None:
    """--as-of DATE: what was known at the end of that day."""
    parser.add_argument(
        "--as-of",
        type=iso_date,
        metavar="DATE",
        help=f"numbers as known at the end of this day, YYYY-MM-DD (default: {default})",
    )
