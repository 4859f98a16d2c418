"""``python -m metrics brief``: the weekly check-in brief as Markdown or PDF, and the kept ones.

Without ``--user`` it only reads: the brief is written to ``--out`` (or printed). With
``--user EMAIL`` (someone who may manage OKRs) it is also kept in the database, with
the week's wins, as the page's "Keep this brief" does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrics import access, clock, store
from metrics.cli.args import add_as_of, add_user
from metrics.errors import InputRejected
from metrics.okrs import brief

FORMATS = {".md": "markdown", ".markdown": "markdown", ".pdf": "pdf"}


def _format_of(out: str | None) -> str:
    if out is None or out == "-":
        return "markdown"
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise InputRejected(f"--out must end in .md or .pdf (got {out!r}).")
    return FORMATS[suffix]


def _make(args: argparse.Namespace) -> int:
    today = clock.today()
    week = brief.parse_week(args.week) if args.week else brief.latest_week(today)
    wanted = _format_of(args.out)
    with store.connect() as con:
        made = brief.gather(con, week, today, args.as_of)
        if args.user:
            person = access.require(access.require_person(con, args.user), "manage_okrs")
            brief_id = brief.keep(con, person, made)
            print(f"Kept as brief {brief_id}.", file=sys.stderr)
    if wanted == "pdf":
        Path(args.out).write_bytes(brief.pdf(made))
    elif args.out and args.out != "-":
        Path(args.out).write_text(brief.markdown(made), encoding="utf-8")
    else:
        sys.stdout.write(brief.markdown(made))
    if args.out and args.out != "-":
        print(f"Wrote {made.week.label} to {args.out}.", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    with store.connect() as con:
        found = brief.kept(con)
    if not found:
        print("No brief kept yet.")
    for b in found:
        print(f"{b.brief_id:>5}  {b.week}  kept {b.made_at:%Y-%m-%d %H:%M} UTC by {b.made_by}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "brief",
        help="the weekly check-in brief (Markdown or PDF); --list shows the kept ones",
        description="Gather one ISO week's check-in brief: metrics that changed status, key results that "
        "slipped, stale data, definitions waiting for a signature or due for review, incidents, releases and "
        "campaigns, owners' notes and check-ins, and wins.",
    )
    parser.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    parser.add_argument(
        "--out", help="file to write: .md for Markdown, .pdf for PDF (default: print Markdown)"
    )
    add_as_of(parser, "everything known now")
    add_user(parser, "who keeps the brief in the database (optional)", required=False)
    parser.add_argument("--list", action="store_true", help="list the kept briefs instead")
    parser.set_defaults(handler=lambda args: _list(args) if args.list else _make(args))
