"""The command line: ``python -m metrics COMMAND``.

Exit codes (GUIDE contract): 0 done, 1 input rejected, 2 usage, permission or busy.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from metrics import config, store
from metrics.errors import ScorecardError
from metrics.seed import first_start as seed
from metrics.uploads import observations

Command = Callable[[argparse.Namespace], int]

# Feature modules that add their own subcommands: each has register(commands), where
# commands is the argparse subparsers object; each parser sets a handler(args) -> exit code.
FEATURE_COMMANDS: tuple[str, ...] = (
    "metrics.cli.ingest",
    "metrics.cli.people",
    "metrics.cli.catalog",
    "metrics.cli.brief",
    "metrics.cli.packs",
    "metrics.cli.maintain",
)


def _init(args: argparse.Namespace) -> int:
    result = seed.initialise(demo_data=args.demo)
    print(f"Database: {result.path}")
    if result.seeded_catalog:
        print(
            "Seeded the glossary and the catalog"
            + (
                ", with the demo people signing it."
                if args.demo
                else " as proposals awaiting both signatures."
            )
        )
    else:
        print("Catalog already present.")
    if args.demo:
        print(
            f"Loaded {result.demo_rows:,} demo values."
            if result.demo_rows
            else "Demo data not loaded: the database already has values, or is not a demo database."
        )
    return 0


def _status(args: argparse.Namespace) -> int:
    path = config.database_path()
    with store.connect(path) as con:
        version = store.schema_version(con)
        counts = store.table_counts(con)
        last = observations.last_upload(con)
    print(f"Database:       {path}")
    print(f"Schema version: {version} (this app: {store.LATEST_VERSION})")
    print("Rows per table:")
    for name, count in counts.items():
        print(f"  {name:<18} {count:>12,}")
    if last:
        file_name, by, at = last
        print(f"Last upload:    {file_name} by {by} at {at:%Y-%m-%d %H:%M} UTC")
    else:
        print("Last upload:    none yet")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description="Shared Scorecard from the command line. The database is SCORECARD_DB "
        f"(default {config.SETTINGS['SCORECARD_DB'].default}).",
        epilog="Exit codes: 0 done, 1 input rejected, 2 usage, permission or database busy.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init",
        help="create or migrate the database and seed the catalog",
        description="Create the database if needed, migrate it to the current "
        "schema and seed the catalog, people and glossary when it is empty.",
    )
    init.add_argument(
        "--demo", action="store_true", help="also load two years of demo values (only into an empty database)"
    )
    init.set_defaults(handler=_init)

    status = commands.add_parser(
        "status",
        help="database path, schema version, rows per table, last upload",
        description="Show the database path, its schema version, row counts per table and the last upload.",
    )
    status.set_defaults(handler=_status)
    for module in FEATURE_COMMANDS:
        importlib.import_module(module).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        config.check_all()  # a bad setting is one line and exit 2, before any work starts
        return handler(args)
    except ScorecardError as exc:
        print(f"{exc.title}: {exc.message}", file=sys.stderr)
        return exc.exit_code
