"""``python -m metrics maintain``: keep the DuckLake store compact (the file store needs nothing)."""

from __future__ import annotations

import argparse
from typing import Any

from metrics import config, store


def _maintain(args: argparse.Namespace) -> int:
    if config.store_kind() != "ducklake":
        with store.connect() as con:
            con.execute("CHECKPOINT")
        print("The file store keeps itself compact; its write-ahead log was written into the file.")
        return 0
    from metrics import lake

    with store.connect() as con:  # a writer's turn: no commit can land in between
        done = lake.maintain(con, args.keep_days)
    print(done.describe())
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "maintain",
        help="compact the DuckLake store: merge small files, expire old snapshots",
        description="On the DuckLake store: write small inlined inserts out as files, merge the small "
        "files that small uploads leave, expire snapshots older than --keep-days and delete files no "
        "snapshot needs. No number the app shows changes (its as-of views read recorded times, not "
        "snapshots). Run it nightly. On the file store it only checkpoints the file.",
    )
    parser.add_argument(
        "--keep-days", type=int, default=7, help="keep DuckLake snapshots this many days (default 7)"
    )
    parser.set_defaults(handler=_maintain)
