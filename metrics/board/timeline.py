"""The shared timeline: incidents, releases and campaigns drawn on every relevant chart.

Events come from a CSV (``date, kind, title`` and optional ``metric_ids``), checked
cell by cell like a metric file and stored all or nothing, or are entered one at a
time by an executive. An event with no metric ids belongs on every chart.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from metrics import access, clock, periods, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected, NotFound

KINDS = ("incident", "release", "campaign")
KIND_LABELS = {"incident": "Incident", "release": "Release", "campaign": "Campaign"}
REQUIRED_COLUMNS = ("date", "kind", "title")
OPTIONAL_COLUMNS = ("metric_ids",)
MAX_TITLE = 120
MAX_EVENTS_PER_FILE = 5000
MAX_FILE_BYTES = 1024 * 1024
_ID_SPLIT = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class Event:
    event_id: int
    day: dt.date
    kind: str
    title: str
    metric_ids: tuple[str, ...]

    def concerns(self, metric_id: str) -> bool:
        """Whether the event belongs on this metric's charts (no ids = on every chart)."""
        return not self.metric_ids or metric_id in self.metric_ids

    @property
    def label(self) -> str:
        return f"{KIND_LABELS.get(self.kind, self.kind)}: {self.title}"


@dataclass(frozen=True)
class CellError:
    """One failing cell, located as a spreadsheet shows it (header = line 1)."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.value!r} - {self.reason}"


class EventFileRejected(InputRejected):
    """The events file broke a rule; ``errors`` lists every failing cell."""

    title = "Events file rejected"

    def __init__(self, errors: Sequence[CellError]) -> None:
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} problem(s), nothing was stored: {shown}{more}.")
        self.errors = list(errors)


@dataclass(frozen=True)
class NewEvent:
    day: dt.date
    kind: str
    title: str
    metric_ids: tuple[str, ...] = ()


# ---------------------------------------------------------------- checking


def _check_day(text: str) -> tuple[dt.date | None, str | None]:
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, "not a date; write it as YYYY-MM-DD"


def _check_kind(text: str) -> str | None:
    return None if text in KINDS else f"kind must be one of {', '.join(KINDS)}"


def _check_title(text: str) -> str | None:
    if not text:
        return "a title is required"
    if len(text) > MAX_TITLE:
        return f"title is longer than {MAX_TITLE} characters"
    return None


def _split_ids(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in _ID_SPLIT.split(text.strip()) if i))


def check_rows(rows: Iterable[Sequence[str]], header: Sequence[str], known_ids: set[str]) -> list[NewEvent]:
    """Check every data row; raise EventFileRejected listing every failing cell."""
    columns = [h.strip().lower() for h in header]
    problems: list[CellError] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    for name in missing:
        problems.append(CellError(1, name, "", "required column is missing"))
    for name in unknown:
        problems.append(CellError(1, name, name, "unknown column; columns are date, kind, title, metric_ids"))
    if problems:
        raise EventFileRejected(problems)
    events: list[NewEvent] = []
    for line, raw in enumerate(rows, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(columns):
            problems.append(
                CellError(line, "(row)", ",".join(raw), f"has {len(raw)} fields, expected {len(columns)}")
            )
            continue
        cell = {name: value.strip() for name, value in zip(columns, raw, strict=True)}
        day, day_problem = _check_day(cell["date"])
        for column, reason in (
            ("date", day_problem),
            ("kind", _check_kind(cell["kind"])),
            ("title", _check_title(cell["title"])),
        ):
            if reason:
                problems.append(CellError(line, column, cell[column], reason))
        ids = _split_ids(cell.get("metric_ids", ""))
        strangers = [i for i in ids if i not in known_ids]
        if strangers:
            problems.append(
                CellError(
                    line, "metric_ids", cell["metric_ids"], f"unknown metric id(s): {', '.join(strangers)}"
                )
            )
        if day is not None and not problems:
            events.append(NewEvent(day, cell["kind"], cell["title"], ids))
    if problems:
        raise EventFileRejected(problems)
    if len(events) > MAX_EVENTS_PER_FILE:
        raise InputRejected(f"The file has {len(events):,} events; at most {MAX_EVENTS_PER_FILE:,} per file.")
    return events


def parse_csv(original: bytes, known_ids: set[str]) -> list[NewEvent]:
    if len(original) > MAX_FILE_BYTES:
        raise InputRejected(f"An events file may be at most {MAX_FILE_BYTES // 1024} KB.")
    try:
        text = original.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRejected("The events file is not UTF-8 text. Save it as CSV UTF-8 and try again.") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise InputRejected("The events file is empty; it needs a header row: date,kind,title,metric_ids.")
    return check_rows(reader, header, known_ids)


# ---------------------------------------------------------------- storing


def _known_metric_ids(con: store.Connection) -> set[str]:
    return {e.definition.id for e in catalog.entries(con)}


def _insert(con: store.Connection, event: NewEvent, source: str, by: str) -> None:
    con.execute(
        "INSERT INTO events (event_id, day, kind, title, metric_ids, source, added_by, added_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            store.next_id(con, "event_ids"),
            event.day,
            event.kind,
            event.title,
            list(event.metric_ids),
            source,
            by,
            clock.now(),
        ],
    )


# What the single-event form calls each field (a typed event is not a file: no lines, no columns).
FIELD_LABELS = {"date": "Date", "kind": "Kind", "title": "What happened", "metric_ids": "Charts it concerns"}


def check_event(event: NewEvent, known_ids: set[str]) -> NewEvent:
    """Check one typed event; raise InputRejected naming each field that is wrong, as the form
    labels it ("What happened: a title is required")."""
    try:
        (checked,) = check_rows(
            [[event.day.isoformat(), event.kind, event.title, " ".join(event.metric_ids)]],
            list(FIELD_LABELS),
            known_ids,
        )
    except EventFileRejected as exc:
        said = "; ".join(f"{FIELD_LABELS.get(e.column, e.column)}: {e.reason}" for e in exc.errors)
        raise InputRejected(f"{said}.", title="Event not added") from exc
    return checked


def where_it_shows(day: dt.date, shown_until: dt.date, shown_label: str) -> str:
    """Where a new event dated ``day`` will appear, for a board that shows periods up to the day
    before ``shown_until`` (the end of the period labelled ``shown_label``, exclusive)."""
    week = periods.label(periods.period_start(day, "weekly"), "weekly")
    if day >= shown_until:
        return (
            f"It is on the timeline for {day:%d %b %Y}; it appears on the charts it concerns once "
            f"{week} is on the board (the board shows {shown_label} now)."
        )
    return f"It shows on the charts it concerns at {week}, and in the timeline below the board."


def add(con: store.Connection, person: Person, event: NewEvent) -> None:
    """An executive enters one event by hand."""
    access.require(person, "add_event")
    checked = check_event(event, _known_metric_ids(con))
    with store.transaction(con):
        _insert(con, checked, "entered", person.email)
        store.audit(con, person.email, "add_event", checked.kind, json.dumps({"title": checked.title}))


def upload(con: store.Connection, person: Person, original: bytes, file_name: str) -> int:
    """Store every event of a checked CSV, all or nothing; returns how many."""
    access.require(person, "add_event")
    new = parse_csv(original, _known_metric_ids(con))
    digest = hashlib.sha256(original).hexdigest()
    with store.transaction(con):
        for event in new:
            _insert(con, event, f"file:{file_name}", person.email)
        store.audit(
            con, person.email, "upload_events", file_name, json.dumps({"events": len(new), "sha256": digest})
        )
    return len(new)


def remove(con: store.Connection, person: Person, event_id: int) -> None:
    """Take an event off the timeline; the row stays, marked removed."""
    access.require(person, "add_event")
    with store.transaction(con):
        row = con.execute(
            "UPDATE events SET removed_at = ?, removed_by = ? WHERE event_id = ? AND removed_at IS NULL",
            [clock.now(), person.email, event_id],
        ).fetchone()
        if not row or int(row[0]) == 0:  # the number of rows changed
            raise NotFound(f"There is no event {event_id} on the timeline.")
        store.audit(con, person.email, "remove_event", str(event_id))


def between(
    con: store.Connection, first: dt.date, last: dt.date, as_of: dt.datetime | None = None
) -> list[Event]:
    """Events on the timeline from ``first`` to ``last`` inclusive, oldest first, as the timeline
    stood at ``as_of`` (None: now): added by then and not yet removed."""
    if as_of is None:
        known = "removed_at IS NULL"
        params: list[object] = [first, last]
    else:
        known = "added_at <= ? AND (removed_at IS NULL OR removed_at > ?)"
        params = [as_of, as_of, first, last]
    rows = con.execute(
        "SELECT event_id, day, kind, title, metric_ids FROM events "
        f"WHERE {known} AND day BETWEEN ? AND ? ORDER BY day, event_id",
        params,
    ).fetchall()
    return [Event(int(r[0]), r[1], r[2], r[3], tuple(r[4])) for r in rows]


def for_metric(timeline: Iterable[Event], metric_id: str) -> list[Event]:
    return [e for e in timeline if e.concerns(metric_id)]


def add_seeded(con: store.Connection, seeded: Iterable[NewEvent], by: str) -> int:
    """Seeding only, inside the caller's transaction: events the demo brings, each metric id
    the catalog does not know dropped. Returns how many were added."""
    known = _known_metric_ids(con)
    count = 0
    for event in seeded:
        _insert(
            con,
            NewEvent(event.day, event.kind, event.title, tuple(i for i in event.metric_ids if i in known)),
            "demo",
            by,
        )
        count += 1
    return count
