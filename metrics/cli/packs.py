"""Command line for the board: build a pack, freeze one, list and fetch frozen packs, load events."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from metrics import access, clock, store
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.cli.args import add_as_of, add_period, add_user
from metrics.packs import gather as pack


def _pack(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = args.format or out.suffix.lstrip(".").lower()
    period = board.parse_period(args.period)
    started = time.perf_counter()
    with store.connect() as con:
        data = pack.gather(con, clock.today(), period, args.as_of)
    content = pack.build(data, fmt)
    out.write_bytes(content)
    took = time.perf_counter() - started
    print(
        f"Wrote {out} ({fmt.upper()}, {len(content):,} bytes) for {period.label}, "
        f"numbers as known on {data.view.as_of:%d %b %Y}, in {took:.1f} s."
    )
    return 0


def _freeze(args: argparse.Namespace) -> int:
    period = board.parse_period(args.period)
    with store.connect() as con:
        person = access.require_person(con, args.user)
        stored = pack.freeze(con, person, period, clock.today(), args.as_of)
    for item in stored:
        print(
            f"Frozen pack {item.pack_id}: {item.file_name} ({item.size:,} bytes, sha256 {item.sha256[:12]}…)"
        )
    return 0


def _packs(args: argparse.Namespace) -> int:
    with store.connect() as con:
        if args.get is not None:
            item, content = pack.frozen_content(con, args.get)
            Path(args.out or item.file_name).write_bytes(content)
            print(
                f"Wrote {args.out or item.file_name}: frozen pack {item.pack_id}, unchanged since {item.frozen_at:%Y-%m-%d %H:%M} UTC."
            )
            return 0
        found = pack.frozen(con)
    if not found:
        print("No frozen packs yet.")
    for item in found:
        print(
            f"{item.pack_id:>4}  {item.period:<10} {item.format:<5} as of {item.as_of}  "
            f"frozen by {item.frozen_by} at {item.frozen_at:%Y-%m-%d %H:%M} UTC  {item.size:>10,} bytes"
        )
    return 0


def _events(args: argparse.Namespace) -> int:
    path = Path(args.file)
    with store.connect() as con:
        person = access.require_person(con, args.user)
        try:
            count = events.upload(con, person, path.read_bytes(), path.name)
        except events.EventFileRejected as exc:
            print(f"{path.name}: rejected, nothing was stored.", file=sys.stderr)
            for error in exc.errors:
                print(f"  {error}", file=sys.stderr)
            return 1
    print(f"{path.name}: {count} event(s) added to the timeline.")
    return 0


def register(commands: Any) -> None:
    build = commands.add_parser(
        "pack",
        help="build the board pack for a period as PDF or offline HTML",
        description="Build the board pack (cover, board, a page per area, owners' notes, sign-off status, "
        "definitions and glossary) for one period, as a PDF or a self-contained HTML file.",
    )
    add_period(build)
    build.add_argument("--out", required=True, help="file to write; .pdf or .html chooses the format")
    build.add_argument("--format", choices=pack.FORMATS, help="pdf or html (default: from --out)")
    add_as_of(build)
    build.set_defaults(handler=_pack)

    freeze = commands.add_parser(
        "freeze-pack",
        help="freeze a closed period's pack (PDF and HTML); it never changes afterwards",
        description="Build the PDF and HTML pack for a period that has ended and store both unchanged. "
        "Executives and admins may freeze; a period is frozen once.",
    )
    add_period(freeze)
    add_user(freeze, "who freezes it (an executive)")
    add_as_of(freeze)
    freeze.set_defaults(handler=_freeze)

    listing = commands.add_parser(
        "packs",
        help="list frozen packs, or write one out with --get",
        description="List every frozen board pack; --get ID writes that pack's stored bytes to a file.",
    )
    listing.add_argument("--get", type=int, metavar="ID", help="the frozen pack to write out")
    listing.add_argument("--out", help="file to write (default: the pack's own file name)")
    listing.set_defaults(handler=_packs)

    timeline = commands.add_parser(
        "events",
        help="add incidents, releases and campaigns to the shared timeline from a CSV",
        description="Add events from a CSV with columns date, kind, title and optional metric_ids "
        "(separated by ; or spaces). Every cell is checked; the file is stored all or nothing. "
        "Errors are printed as 'line N, column C: 'value' - reason'.",
    )
    timeline.add_argument("file", help="events CSV (UTF-8)")
    add_user(timeline, "who adds them (an executive)")
    timeline.set_defaults(handler=_events)
