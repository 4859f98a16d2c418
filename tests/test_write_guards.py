"""Every public write refuses every role that lacks its action, on the server: a table of writes,
each called for real by a person of each role (a wrong permission name in one write fails here)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from metrics import access, store
from metrics.access import Person
from metrics.board import commentary
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.catalog import glossary, proposals
from metrics.errors import PermissionDenied
from metrics.okrs import brief, progress
from metrics.okrs import objectives as okrs
from metrics.packs import gather as pack
from metrics.uploads import ingest
from tests.conftest import TODAY, file_all_lake_some, first_of_each
from tests.test_access import PRIMITIVES, _public_writes

Write = Callable[[store.Connection, Person], object]
W46 = board.BoardPeriod("weekly", dt.date(2026, 11, 9))
_DRAFT = okrs.ObjectiveDraft(
    "Faster checkout",
    "2026-Q4",
    "dana.it@example.com",
    "sam.marketing@example.com",
    (progress.KeyResultSpec("conversion_rate", 3.0, 3.6, dt.date(2026, 12, 31)),),
)


def _sessions() -> catalog.MetricDefinition:
    return next(d for d in catalog.load_seed().metrics if d.id == "sessions")


def _fields() -> dict[str, object]:
    return {**dataclasses.asdict(_sessions()), "id": "app_sessions", "name": "App sessions"}


def _csv(con: store.Connection, person: Person) -> object:
    data = b"metric_id,period_start,value\nsessions,2026-11-09,250000\n"
    row = con.execute("PRAGMA database_list").fetchone()
    assert row is not None
    return ingest.ingest(data, "w.csv", person, path=Path(row[2]) if row[2] else None)  # None: the lake


#: public write -> (the action it needs, a real call with valid arguments)
WRITES: dict[str, tuple[str, Write]] = {
    "access.add_person": (
        "manage_people",
        lambda con, p: access.add_person(con, p, email="new@example.com", name="New", roles=["executive"]),
    ),
    "access.remove_person": (
        "manage_people",
        lambda con, p: access.remove_person(con, p, "uma.upload@example.com"),
    ),
    "okrs.brief.keep": ("manage_okrs", lambda con, p: brief.keep(con, p, brief.gather(con, W46, TODAY))),
    "board.commentary.write": (
        "comment",
        lambda con, p: commentary.write(con, p, "sessions", W46.start, "why"),
    ),
    "board.timeline.add": (
        "add_event",
        lambda con, p: events.add(con, p, events.NewEvent(W46.start, "release", "R")),
    ),
    "board.timeline.remove": ("add_event", lambda con, p: events.remove(con, p, 1)),
    "board.timeline.upload": (
        "add_event",
        lambda con, p: events.upload(con, p, b"date,kind,title\n2026-11-10,release,R\n", "e.csv"),
    ),
    "catalog.glossary.set_term": ("edit_glossary", lambda con, p: glossary.set_term(con, p, "XYZ", "a term")),
    "catalog.glossary.remove_term": ("edit_glossary", lambda con, p: glossary.remove_term(con, p, "SLO")),
    "uploads.ingest.ingest": ("upload", _csv),
    "uploads.ingest.retract": ("retract_upload", lambda con, p: ingest.retract(con, 1, p)),
    "okrs.objectives.save": ("manage_okrs", lambda con, p: okrs.save(con, p, _DRAFT, today=TODAY)),
    "okrs.objectives.accept": ("manage_okrs", lambda con, p: okrs.accept(con, p, 1)),
    "okrs.objectives.check_in": ("manage_okrs", lambda con, p: okrs.check_in(con, p, 1, 7, "fine")),
    "okrs.objectives.withdraw": ("manage_okrs", lambda con, p: okrs.withdraw(con, p, 1)),
    "packs.gather.freeze": ("freeze_pack", lambda con, p: pack.freeze(con, p, W46, TODAY)),
    "catalog.proposals.add_comment": (
        "comment",
        lambda con, p: proposals.add_comment(con, p, "sessions", "hm"),
    ),
    "catalog.proposals.propose_new": (
        "propose_definition",
        lambda con, p: proposals.propose_new(con, p, _fields()),
    ),
    "catalog.proposals.propose_change": (
        "propose_definition",
        lambda con, p: proposals.propose_change(con, p, "sessions", {"target": 260000.0}),
    ),
    "catalog.proposals.propose_retirement": (
        "propose_definition",
        lambda con, p: proposals.propose_retirement(con, p, "sessions", "no longer needed"),
    ),
    "catalog.proposals.import_proposals": (
        "propose_definition",
        lambda con, p: proposals.import_proposals(con, p, new=[_fields()]),
    ),
    "catalog.proposals.sign": (
        "sign_it",
        lambda con, p: proposals.sign(con, p, "sessions", 1, "it", content_hash=_sessions().content_hash()),
    ),
    "catalog.proposals.decline": (
        "sign_marketing",
        lambda con, p: proposals.decline(
            con, p, "sessions", 1, "marketing", "no", content_hash=_sessions().content_hash()
        ),
    ),
    "okrs.wins.record_new": ("manage_okrs", lambda con, p: wins_record_new(con, p)),
}


def wins_record_new(con: store.Connection, person: Person) -> object:
    from metrics.okrs import wins

    return wins.record_new(con, person, TODAY)


def _one_role(role: str) -> Person:
    team = "it_operations" if role == "uploader" else None
    return Person(f"{role}@example.com", f"A {role}", team, (role,))


REFUSALS = [
    (name, role)
    for name, (action, _) in WRITES.items()
    for role in access.ROLES
    if not access.can(_one_role(role), action)
]
#: every refusal on the file store; on the lake each write refused once (its first role)
CASES = file_all_lake_some(REFUSALS, first_of_each(lambda case: case[0]))


def test_the_table_names_every_public_write() -> None:
    guarded = {name for name in _public_writes() if name not in PRIMITIVES}
    assert guarded - set(WRITES) == set(), "add each new write to WRITES with the action it needs"


@pytest.mark.parametrize(("store_kind", "name", "role"), CASES)
def test_each_write_refuses_each_role_without_its_action(
    store_kind: str, con: store.Connection, name: str, role: str
) -> None:
    _, write = WRITES[name]
    before = store.table_counts(con)
    with pytest.raises(PermissionDenied):
        write(con, _one_role(role))
    assert store.table_counts(con) == before  # refused before anything was written


def test_nobody_signed_in_is_refused_by_every_write_that_takes_an_optional_person(
    con: store.Connection,
) -> None:
    for name in (
        "access.add_person",
        "catalog.glossary.set_term",
        "catalog.proposals.propose_new",
        "uploads.ingest.retract",
    ):
        with pytest.raises(PermissionDenied):
            WRITES[name][1](con, None)  # type: ignore[arg-type]
