"""`python -m metrics ingest` and `retract`: the same checks and storing as the Upload page."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from metrics import access, ingest, store
from metrics.errors import InputRejected, NotFound, PermissionDenied

SHOWN_ERRORS = 200


class _StageReporter:
    """Prints progress to stderr, but only once a file has taken more than a second."""

    def __init__(self, file_name: str) -> None:
        self.file_name, self.started = file_name, time.monotonic()

    def __call__(self, stage: str, fraction: float) -> None:
        if time.monotonic() - self.started > 1.0:
            print(f"  {self.file_name}: {stage} ({fraction:.0%})", file=sys.stderr, flush=True)


def _person(email: str) -> access.Person:
    with store.connect() as con:
        person = access.get_person(con, email)
    if person is None:
        raise PermissionDenied(f"{email} is not in the people table; ask an admin to add you.")
    return person


def _ingest(args: argparse.Namespace) -> int:
    person = _person(args.user)
    worst = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: cannot read the file (no such file).", file=sys.stderr)
            worst = max(worst, 1)
            continue
        result = ingest.ingest(
            None,
            path.name,
            person,
            dry_run=args.dry_run,
            source="cli",
            csv_path=path,
            progress=_StageReporter(path.name),
        )
        print(result.message)
        if result.outcome == "rejected":
            worst = max(worst, 1)
            _print_errors(result)
    return worst


def _print_errors(result: ingest.IngestResult) -> None:
    lines = result.error_lines()
    for line in lines[:SHOWN_ERRORS]:
        print(f"  {line}", file=sys.stderr)
    if len(lines) > SHOWN_ERRORS:
        print(f"  ... and {len(lines) - SHOWN_ERRORS:,} more", file=sys.stderr)
    for rule, count in sorted(result.counts.items()):
        print(f"  {rule}: {count:,}", file=sys.stderr)


def _retract(args: argparse.Namespace) -> int:
    person = _person(args.user)
    with store.connect() as con:
        try:
            ingest.retract(con, args.upload_id, person)
        except (NotFound, InputRejected) as exc:
            print(f"{exc.title}: {exc.message}", file=sys.stderr)
            return 1
    print(f"Upload {args.upload_id} retracted; the values it replaced are back on the board.")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "ingest",
        help="check metric CSV files and store each one all or nothing",
        description="Check each metric CSV (metric_id, period_start, value[, segment, note]) against the "
        "agreed definitions and store it in one transaction. Errors are printed as "
        "'line N, column C: 'value' - reason'. Exit 1 if any file was rejected.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="metric CSV files (UTF-8)")
    parser.add_argument(
        "--user", required=True, metavar="EMAIL", help="who is uploading (must be in the people table)"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and preview only; store nothing")
    parser.set_defaults(handler=_ingest)

    retract = commands.add_parser(
        "retract",
        help="take an upload's values off the board (nothing is deleted)",
        description="Retract an accepted upload: its values leave the board and the values they replaced "
        "come back. Allowed for the uploading team and admins.",
    )
    retract.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    retract.add_argument("--user", required=True, metavar="EMAIL")
    retract.set_defaults(handler=_retract)
