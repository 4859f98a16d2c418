"""Versions of a metric definition, their signatures, declines and comments, read
back as plain records; and field-by-field differences between any two versions.

Read-only: every write lives in metrics/catalog/proposals.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from metrics import access, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import CatalogEntry, MetricDefinition
from metrics.errors import NotFound

SIDES = catalog.SIDES
SIDE_ACTIONS = {"it": "sign_it", "marketing": "sign_marketing"}
SIDE_LABELS = {"it": "IT", "marketing": "Marketing"}
KINDS = ("new", "change", "retire")
KIND_LABELS = {"new": "new metric", "change": "change", "retire": "retirement"}

#: Plain names for every field of a definition, in the order people read them.
FIELD_LABELS: dict[str, str] = {
    "id": "Id",
    "name": "Name",
    "description": "Meaning",
    "calculation": "How it is calculated",
    "unit": "Unit",
    "unit_label": "Unit label",
    "direction": "Better when",
    "area": "Area",
    "cadence": "Cadence",
    "it_owner": "IT owner",
    "marketing_owner": "Marketing owner",
    "target": "Target",
    "amber": "Amber line",
    "red": "Red line",
    "data_source": "Data source",
    "supplied_by": "Supplied by",
    "revisit": "Revisit on",
    "min_value": "Lowest accepted value",
    "max_value": "Highest accepted value",
}


@dataclass(frozen=True)
class Decision:
    """One signer's decision on one version: 'signed' or 'declined'."""

    metric_id: str
    version: int
    side: str
    signer: str
    decision: str
    content_hash: str
    comment: str | None
    at: dt.datetime
    covers_content: bool  # the hash signed is the version's content hash

    @property
    def counts(self) -> bool:
        return self.decision == "signed" and self.covers_content


@dataclass(frozen=True)
class Comment:
    metric_id: str
    version: int | None
    author: str
    body: str
    at: dt.datetime


@dataclass(frozen=True)
class Version:
    metric_id: str
    version: int
    kind: str
    definition: MetricDefinition
    content_hash: str
    proposed_by: str
    proposed_at: dt.datetime
    comment: str | None
    intact: bool  # stored fields still match the stored hash
    agreed: bool
    state: str  # in force | replaced | open | superseded
    decisions: tuple[Decision, ...]

    def signature(self, side: str) -> Decision | None:
        """The signature that counts for ``side``, if any."""
        return next((d for d in self.decisions if d.side == side and d.counts), None)

    @property
    def declines(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.decision == "declined")

    @property
    def awaiting(self) -> tuple[str, ...]:
        """Sides still to sign (only an open version awaits anything)."""
        if self.state != "open":
            return ()
        return tuple(s for s in SIDES if self.signature(s) is None)

    def acted_for(self, email: str) -> set[str]:
        """The sides this person signed or declined on this version."""
        return {d.side for d in self.decisions if d.signer == email}


@dataclass(frozen=True)
class History:
    """Everything ever recorded about one metric, oldest first."""

    entry: CatalogEntry
    versions: tuple[Version, ...]
    comments: tuple[Comment, ...]

    @property
    def metric_id(self) -> str:
        return self.entry.definition.id

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @property
    def open_version(self) -> Version | None:
        """The newest version while it awaits signatures."""
        return self.latest if self.latest.state == "open" else None

    def version(self, number: int) -> Version:
        for v in self.versions:
            if v.version == number:
                return v
        raise NotFound(f"{self.metric_id} has no version {number}.")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


# ---------------------------------------------------------------- reading


def _entry(con: store.Connection, metric_id: str, today: dt.date | None) -> CatalogEntry:
    for entry in catalog.entries(con, today):
        if entry.definition.id == metric_id:
            return entry
    raise NotFound(f"There is no metric with the id {metric_id!r}.")


def _decisions(con: store.Connection, metric_id: str | None = None) -> list[Decision]:
    where = "WHERE s.metric_id = ? " if metric_id is not None else ""
    rows = con.execute(
        "SELECT s.metric_id, s.version, s.side, s.signer, s.decision, s.content_hash, s.comment, "
        "s.signed_at, s.content_hash = v.content_hash "
        "FROM signatures s LEFT JOIN metric_versions v ON v.metric_id = s.metric_id AND v.version = s.version "
        f"{where}ORDER BY s.signed_at, s.side",
        [metric_id] if metric_id is not None else [],
    ).fetchall()
    return [Decision(r[0], int(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8])) for r in rows]


def _versions(
    rows: Sequence[Mapping[str, Any]],
    decisions: Iterable[Decision],
    agreed: set[tuple[str, int]],
    entry: CatalogEntry,
) -> tuple[Version, ...]:
    by_version: dict[int, list[Decision]] = {}
    for d in decisions:
        by_version.setdefault(d.version, []).append(d)
    latest = int(rows[-1]["version"])
    in_force = entry.version if entry.status != "proposed" else None
    result = []
    for row in rows:
        number = int(row["version"])
        is_agreed = (row["metric_id"], number) in agreed
        if number == in_force:
            state = "in force"
        elif is_agreed:
            state = "replaced"
        elif number == latest:
            state = "open"
        else:
            state = "superseded"
        result.append(
            Version(
                metric_id=row["metric_id"],
                version=number,
                kind=row["kind"],
                definition=catalog.definition_from_row(row),
                content_hash=row["content_hash"],
                proposed_by=row["proposed_by"],
                proposed_at=row["proposed_at"],
                comment=row["comment"],
                intact=catalog.row_is_intact(row),
                agreed=is_agreed,
                state=state,
                decisions=tuple(by_version.get(number, ())),
            )
        )
    return tuple(result)


def history(con: store.Connection, metric_id: str, today: dt.date | None = None) -> History:
    """Every version, signature, decline and comment for one metric."""
    entry = _entry(con, metric_id, today)
    rows = catalog.version_rows(con, metric_id)
    versions = _versions(rows, _decisions(con, metric_id), catalog.agreed_versions(con, rows), entry)
    comments = tuple(
        Comment(r[0], r[1], r[2], r[3], r[4])
        for r in con.execute(
            "SELECT metric_id, version, author, body, written_at FROM definition_comments "
            "WHERE metric_id = ? ORDER BY written_at",
            [metric_id],
        ).fetchall()
    )
    return History(entry, versions, comments)


def open_versions(con: store.Connection, today: dt.date | None = None) -> list[Version]:
    """Every version awaiting signatures, one per metric at most, by metric id."""
    entries = {e.definition.id: e for e in catalog.entries(con, today)}
    rows = catalog.version_rows(con)
    agreed = catalog.agreed_versions(con, rows)
    decisions = _decisions(con)
    by_metric: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_metric.setdefault(row["metric_id"], []).append(row)
    result = []
    for metric_id, metric_rows in sorted(by_metric.items()):
        latest = metric_rows[-1]
        if (metric_id, int(latest["version"])) in agreed:
            continue
        versions = _versions(
            metric_rows, [d for d in decisions if d.metric_id == metric_id], agreed, entries[metric_id]
        )
        result.append(versions[-1])
    return result


def sides_for(person: Person | None) -> tuple[str, ...]:
    """The sides this person may sign for."""
    return tuple(s for s in SIDES if access.can(person, SIDE_ACTIONS[s]))


def signable_sides(person: Person | None, version: Version) -> tuple[str, ...]:
    """The sides this person could sign on this version right now."""
    if person is None or version.state != "open" or not version.intact:
        return ()
    acted = version.acted_for(person.email)
    return tuple(s for s in sides_for(person) if s in version.awaiting and not (acted - {s}))


def awaiting(con: store.Connection, person: Person | None, today: dt.date | None = None) -> list[Version]:
    """Open versions this person could sign now."""
    return [v for v in open_versions(con, today) if signable_sides(person, v)]


def owned_due_for_review(
    con: store.Connection, person: Person | None, today: dt.date | None = None
) -> list[CatalogEntry]:
    """Agreed definitions past their revisit date that this person owns (either side)."""
    if person is None:
        return []
    return [
        e
        for e in catalog.entries(con, today)
        if e.status == "due for review"
        and person.email in {e.definition.it_owner, e.definition.marketing_owner}
    ]


def format_field(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def diff_definitions(before: MetricDefinition, after: MetricDefinition) -> list[FieldChange]:
    """Field-by-field differences, in reading order."""
    a, b = before.content(), after.content()
    return [
        FieldChange(name, FIELD_LABELS[name], format_field(a[name]), format_field(b[name]))
        for name in FIELD_LABELS
        if a[name] != b[name]
    ]


def diff(con: store.Connection, metric_id: str, before: int, after: int) -> list[FieldChange]:
    """What changed between two versions of a metric (a retirement shows as a change of kind)."""
    h = history(con, metric_id)
    old, new = h.version(before), h.version(after)
    changes = []
    if old.kind != new.kind and "retire" in {old.kind, new.kind}:
        changes.append(FieldChange("kind", "Kind of version", KIND_LABELS[old.kind], KIND_LABELS[new.kind]))
    return changes + diff_definitions(old.definition, new.definition)
