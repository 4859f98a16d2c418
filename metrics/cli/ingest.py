"""`python -m metrics ingest` and `retract`: the same checks and storing as the Upload page."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from metrics import access, store
from metrics.cli.args import add_user
from metrics.errors import InputRejected, NotFound
from metrics.uploads import ingest

SHOWN_ERRORS = 200


class StageReporter:
    """Progress on stderr once a file has taken more than a second: the stage it is in,
    each new stage, and a line every 5 s while one stage goes on (loading the rows gives
    no callbacks of its own, so a ticker thread watches the clock)."""

    HEARTBEAT = 5.0

    def __init__(self, file_name: str, *, quiet_for: float = 1.0, out: TextIO = sys.stderr) -> None:
        self.file_name, self.quiet_for, self.out = file_name, quiet_for, out
        self.started = time.monotonic()
        self.stage, self.fraction = "Starting", 0.0
        self.shown: str | None = None
        self.shown_at = 0.0
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True, name="ingest-progress")

    def __enter__(self) -> StageReporter:
        self.ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finished.set()
        self.ticker.join()

    def __call__(self, stage: str, fraction: float) -> None:
        with self.lock:
            self.stage, self.fraction = stage, fraction
        self._show_if_due()

    def _tick(self) -> None:
        while not self.finished.wait(0.2):
            self._show_if_due()

    def _show_if_due(self) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.started < self.quiet_for:
                return
            if self.stage == self.shown and now - self.shown_at < self.HEARTBEAT:
                return
            elapsed = now - self.started
            print(
                f"  {self.file_name}: {self.stage} ({self.fraction:.0%}, {elapsed:.0f} s)",
                file=self.out,
                flush=True,
            )
            self.shown, self.shown_at = self.stage, now


def _person(email: str) -> access.Person:
    with store.connect() as con:
        return access.require_person(con, email)


def _ingest(args: argparse.Namespace) -> int:
    person = _person(args.user)
    worst = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: cannot read the file (no such file).", file=sys.stderr)
            worst = max(worst, 1)
            continue
        try:
            with StageReporter(path.name) as progress:
                result = ingest.ingest(
                    None,
                    path.name,
                    person,
                    dry_run=args.dry_run,
                    source="cli",
                    csv_path=path,
                    progress=progress,
                )
        except OSError as exc:  # unreadable (permissions, a device error): say so, go on with the rest
            print(f"{name}: cannot read the file ({exc.strerror or exc}).", file=sys.stderr)
            worst = max(worst, 1)
            continue
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
    add_user(parser, "who is uploading (must be in the people table)")
    parser.add_argument("--dry-run", action="store_true", help="check and preview only; store nothing")
    parser.set_defaults(handler=_ingest)

    retract = commands.add_parser(
        "retract",
        help="take an upload's values off the board (nothing is deleted)",
        description="Retract an accepted upload: its values leave the board and the values they replaced "
        "come back. Allowed for the uploading team and admins.",
    )
    retract.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    add_user(retract, "who retracts it (the uploading team or an admin)")
    retract.set_defaults(handler=_retract)
