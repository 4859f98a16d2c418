"""Owners' notes: a short "why did this move?" per metric and period.

A note is written by one of the metric's two owners (or an admin) and is keyed by
the metric and the start of one of its own periods. Notes are never edited: a newer
note for the same metric and period is the one shown, and the older ones stay.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from metrics import access, clock, periods, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected, NotFound, PermissionDenied

MAX_NOTE = 280


@dataclass(frozen=True)
class Note:
    metric_id: str
    period_start: dt.date
    body: str
    author: str
    written_at: dt.datetime


def _definition(con: store.Connection, metric_id: str) -> catalog.MetricDefinition:
    for entry in catalog.board_entries(con):
        if entry.definition.id == metric_id:
            return entry.definition
    raise NotFound(f"There is no agreed metric {metric_id!r}.")


def may_write(person: Person | None, d: catalog.MetricDefinition) -> bool:
    """Owners of the metric who may comment, and admins."""
    if person is None or not access.can(person, "comment"):
        return False
    return person.has("admin") or person.email in {d.it_owner, d.marketing_owner}


def write(con: store.Connection, person: Person, metric_id: str, period_start: dt.date, body: str) -> Note:
    """Attach a note to one period of a metric; returns the stored note."""
    access.require(person, "comment")
    d = _definition(con, metric_id)
    if not may_write(person, d):
        raise PermissionDenied(
            f"Only the owners of {d.name} ({d.it_owner}, {d.marketing_owner}) may write its notes."
        )
    text = " ".join(body.split())
    if not text:
        raise InputRejected("The note is empty.")
    if len(text) > MAX_NOTE:
        raise InputRejected(f"A note may be at most {MAX_NOTE} characters; this one has {len(text)}.")
    if not periods.is_period_start(period_start, d.cadence):
        raise InputRejected(f"{period_start:%d %b %Y} does not start a {d.cadence} period of {d.name}.")
    note = Note(metric_id, period_start, text, person.email, clock.now())
    with store.transaction(con):
        con.execute(
            "INSERT INTO metric_notes (metric_id, period_start, body, author, written_at) VALUES (?, ?, ?, ?, ?)",
            [note.metric_id, note.period_start, note.body, note.author, note.written_at],
        )
        store.audit(
            con, person.email, "write_note", metric_id, json.dumps({"period": period_start.isoformat()})
        )
    return note


def in_force(
    con: store.Connection, first: dt.date, last: dt.date, as_of: dt.datetime | None = None
) -> dict[tuple[str, dt.date], Note]:
    """The newest note per (metric, period) for periods starting from ``first`` to ``last``,
    among those written by ``as_of`` (None: all)."""
    rows = con.execute(
        "SELECT metric_id, period_start, arg_max(body, written_at), arg_max(author, written_at), max(written_at) "
        "FROM metric_notes WHERE period_start BETWEEN ? AND ? AND (CAST(? AS TIMESTAMP) IS NULL OR written_at <= ?) "
        "GROUP BY metric_id, period_start",
        [first, last, as_of, as_of],
    ).fetchall()
    return {(r[0], r[1]): Note(r[0], r[1], r[2], r[3], r[4]) for r in rows}


def newest_within(
    notes: dict[tuple[str, dt.date], Note], metric_id: str, starts: Iterable[dt.date]
) -> Note | None:
    """The most recently written note for any of the given periods of a metric."""
    found = [notes[(metric_id, s)] for s in starts if (metric_id, s) in notes]
    return max(found, key=lambda n: n.written_at) if found else None
