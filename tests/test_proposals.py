"""Proposals and two-party sign-off: every state change and every refusal.

Each write is called directly, as every role, on a real seeded DuckDB file: the UI
may hide a control, but these functions are where the refusal happens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from metrics import access, store
from metrics.access import Person
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.catalog import proposals
from metrics.errors import CatalogError, InputRejected, NotFound, PermissionDenied, ScorecardError
from metrics.uploads import observations
from tests.conftest import TODAY, file_all_lake_some, first_of_each

ADMIN = "alex.admin@example.com"
EXEC = "priya.cio@example.com"
IT = "dana.it@example.com"
MKT = "sam.marketing@example.com"
UPLOADER = "uma.upload@example.com"
BOARD = "bea.board@example.com"
IT2 = "ian.it@example.com"
MKT2 = "mia.marketing@example.com"
BOTH = "bo.both@example.com"
ROLE_PEOPLE = {"admin": ADMIN, "executive": EXEC, "it_approver": IT, "marketing_approver": MKT,
               "uploader": UPLOADER, "board": BOARD}  # fmt: skip


@pytest.fixture
def db(con: store.Connection) -> store.Connection:
    """The seeded demo database plus a second approver per side and one with both roles."""
    for email, name, roles in (
        (IT2, "Ian Second", ("it_approver",)),
        (MKT2, "Mia Second", ("marketing_approver",)),
        (BOTH, "Bo Both", ("it_approver", "marketing_approver")),
    ):
        access.upsert_person(con, Person(email, name, None, roles))
    return con


def who(con: store.Connection, email: str) -> Person:
    return access.require_person(con, email)


def entry(con: store.Connection, metric_id: str) -> catalog.CatalogEntry:
    return next(e for e in catalog.entries(con, TODAY) if e.definition.id == metric_id)


def on_board(con: store.Connection, metric_id: str) -> catalog.CatalogEntry | None:
    return next((e for e in catalog.board_entries(con, TODAY) if e.definition.id == metric_id), None)


def latest(con: store.Connection, metric_id: str) -> proposals.Version:
    return proposals.history(con, metric_id, TODAY).latest


def sign(con: store.Connection, email: str, metric_id: str, side: str, version: int | None = None) -> bool:
    v = latest(con, metric_id) if version is None else proposals.history(con, metric_id).version(version)
    return proposals.sign(con, who(con, email), metric_id, v.version, side, content_hash=v.content_hash)


def new_fields(**changes: Any) -> dict[str, Any]:
    base = next(m for m in catalog.load_seed().metrics if m.id == "conversion_rate")
    return {**base.content(), "id": "app_conversion", "name": "App conversion", **changes}


def counts(con: store.Connection) -> dict[str, int]:
    tables = ("metric_versions", "signatures", "definition_comments", "audit_log", "glossary")
    every_table = store.table_counts(con)
    return {t: every_table[t] for t in tables}


# ---------------------------------------------------------------- state changes


def test_a_change_stays_pending_until_both_sides_sign_and_the_board_keeps_the_agreed_version(
    db: store.Connection,
) -> None:
    version = proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5}, "Stretch")
    assert version == 2
    e = entry(db, "conversion_rate")
    assert (e.status, e.version, e.latest_version, e.definition.target) == ("change pending", 1, 2, 3.2)
    tile = next(t for t in board.tiles(db, TODAY) if t.definition.id == "conversion_rate")
    assert tile.definition.target == 3.2 and tile.entry.status == "change pending"

    assert sign(db, IT, "conversion_rate", "it") is False
    assert entry(db, "conversion_rate").status == "change pending"
    assert sign(db, MKT, "conversion_rate", "marketing") is True
    e = entry(db, "conversion_rate")
    assert (e.status, e.version, e.definition.target) == ("agreed", 2, 3.5)
    tile = next(t for t in board.tiles(db, TODAY) if t.definition.id == "conversion_rate")
    assert tile.definition.target == 3.5


def test_the_marketing_side_may_sign_first(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, IT), "conversion_rate", {"amber": 3.1})
    assert sign(db, MKT, "conversion_rate", "marketing") is False
    assert sign(db, IT2, "conversion_rate", "it") is True
    assert entry(db, "conversion_rate").definition.amber == 3.1


def test_a_new_metric_is_never_on_the_board_until_agreed(db: store.Connection) -> None:
    assert proposals.propose_new(db, who(db, MKT), new_fields(), "App only") == 1
    e = entry(db, "app_conversion")
    assert e.status == "proposed" and on_board(db, "app_conversion") is None
    sign(db, IT, "app_conversion", "it")
    assert entry(db, "app_conversion").status == "proposed" and on_board(db, "app_conversion") is None
    sign(db, MKT, "app_conversion", "marketing")
    assert entry(db, "app_conversion").status == "agreed"
    assert on_board(db, "app_conversion") is not None


def test_a_decline_keeps_the_proposal_open_for_a_new_version(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 4.5, "amber": 4.0})
    proposals.decline(db, who(db, IT), "conversion_rate", 2, "it", "Not reachable before the replatform.")
    h = proposals.history(db, "conversion_rate")
    assert h.open_version is not None and h.open_version.version == 2
    (declined,) = h.version(2).declines
    assert (declined.signer, declined.comment) == (IT, "Not reachable before the replatform.")
    assert entry(db, "conversion_rate").status == "change pending"

    # The proposer answers with a new version; the declined one is superseded and closed.
    assert proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.6, "amber": 3.0}) == 3
    with pytest.raises(InputRejected, match="superseded by version 3"):
        sign(db, MKT, "conversion_rate", "marketing", version=2)
    sign(db, IT, "conversion_rate", "it")
    sign(db, MKT, "conversion_rate", "marketing")
    h = proposals.history(db, "conversion_rate")
    assert [v.state for v in h.versions] == ["replaced", "superseded", "in force"]
    assert h.entry.definition.target == 3.6


def test_a_side_that_declined_can_still_sign_the_same_version_later(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.4})
    proposals.decline(db, who(db, MKT), "conversion_rate", 2, "marketing", "Which campaigns count?")
    proposals.add_comment(db, who(db, EXEC), "conversion_rate", "All paid campaigns count.", 2)
    sign(db, MKT2, "conversion_rate", "marketing")
    sign(db, IT, "conversion_rate", "it")
    assert entry(db, "conversion_rate").status == "agreed"
    decisions = [(d.side, d.signer, d.decision) for d in latest(db, "conversion_rate").decisions]
    assert decisions == [("marketing", MKT, "declined"), ("marketing", MKT2, "signed"), ("it", IT, "signed")]


def test_retiring_needs_both_sides_and_keeps_history_and_values(db: store.Connection) -> None:
    values_before = len(observations.values_in_force(db, ["conversion_rate"]))
    version = proposals.propose_retirement(db, who(db, EXEC), "conversion_rate", "Replaced by app conversion")
    assert latest(db, "conversion_rate").kind == "retire"
    assert entry(db, "conversion_rate").status == "change pending"
    assert on_board(db, "conversion_rate") is not None
    sign(db, IT, "conversion_rate", "it")
    assert on_board(db, "conversion_rate") is not None
    sign(db, MKT, "conversion_rate", "marketing")
    e = entry(db, "conversion_rate")
    assert (e.status, e.version) == ("retired", version)
    assert on_board(db, "conversion_rate") is None
    assert [v.version for v in proposals.history(db, "conversion_rate").versions] == [1, 2]
    assert len(observations.values_in_force(db, ["conversion_rate"])) == values_before > 0
    assert [c.field for c in proposals.diff(db, "conversion_rate", 1, 2)] == ["kind"]


def test_a_retired_metric_can_be_reinstated_by_both_sides(db: store.Connection) -> None:
    proposals.propose_retirement(db, who(db, EXEC), "conversion_rate", "Pause")
    sign(db, IT, "conversion_rate", "it")
    sign(db, MKT, "conversion_rate", "marketing")
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {}, "Back again")
    assert entry(db, "conversion_rate").status == "retired"
    sign(db, IT, "conversion_rate", "it")
    sign(db, MKT, "conversion_rate", "marketing")
    assert entry(db, "conversion_rate").status == "agreed" and on_board(db, "conversion_rate")


def test_a_never_agreed_proposal_can_be_retired(db: store.Connection) -> None:
    proposals.propose_new(db, who(db, EXEC), new_fields())
    proposals.propose_retirement(db, who(db, EXEC), "app_conversion", "Not needed after all")
    sign(db, IT, "app_conversion", "it")
    sign(db, MKT, "app_conversion", "marketing")
    assert entry(db, "app_conversion").status == "retired"
    assert on_board(db, "app_conversion") is None


def test_due_for_review_shows_to_both_owners(db: store.Connection) -> None:
    due = [e for e in catalog.entries(db, TODAY) if e.status == "due for review"]
    assert len(due) == 1
    d = due[0].definition
    for email in (d.it_owner, d.marketing_owner):
        assert [e.definition.id for e in proposals.owned_due_for_review(db, who(db, email), TODAY)] == [d.id]
    assert proposals.owned_due_for_review(db, who(db, BOARD), TODAY) == []
    assert due[0] in catalog.board_entries(db, TODAY)
    # A new revisit date, agreed by both sides, clears it.
    proposals.propose_change(db, who(db, d.it_owner), d.id, {"revisit": "2027-12-31"})
    assert entry(db, d.id).status == "change pending"
    sign(db, IT, d.id, "it")
    sign(db, MKT, d.id, "marketing")
    assert entry(db, d.id).status == "agreed"


def test_open_versions_and_what_awaits_each_person(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.4})
    proposals.propose_new(db, who(db, EXEC), new_fields())
    assert [v.metric_id for v in proposals.open_versions(db)] == ["app_conversion", "conversion_rate"]
    sign(db, IT, "conversion_rate", "it")
    assert [v.metric_id for v in proposals.awaiting(db, who(db, IT))] == ["app_conversion"]
    assert [v.metric_id for v in proposals.awaiting(db, who(db, MKT))] == [
        "app_conversion",
        "conversion_rate",
    ]
    assert [v.metric_id for v in proposals.awaiting(db, who(db, IT2))] == ["app_conversion"]
    assert proposals.awaiting(db, who(db, EXEC)) == []
    assert proposals.awaiting(db, who(db, BOARD)) == []
    assert proposals.awaiting(db, None) == []


def test_comments_are_kept_with_the_metric(db: store.Connection) -> None:
    proposals.add_comment(db, who(db, EXEC), "conversion_rate", "  Can we split app and web?  ")
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.3})
    proposals.add_comment(db, who(db, MKT), "conversion_rate", "Yes, next quarter.", version=2)
    comments = proposals.history(db, "conversion_rate").comments
    assert [(c.author, c.version, c.body) for c in comments] == [
        (EXEC, None, "Can we split app and web?"),
        (MKT, 2, "Yes, next quarter."),
    ]


def test_history_keeps_every_version_signature_decline_and_comment(db: store.Connection) -> None:
    before = counts(db)
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.3}, "First try")
    proposals.decline(db, who(db, IT), "conversion_rate", 2, "it", "Too low")
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5}, "Second try")
    proposals.add_comment(db, who(db, MKT), "conversion_rate", "Agree with IT")
    sign(db, IT, "conversion_rate", "it")
    sign(db, MKT, "conversion_rate", "marketing")
    after = counts(db)
    assert after["metric_versions"] == before["metric_versions"] + 2
    assert after["signatures"] == before["signatures"] + 3
    assert after["definition_comments"] == before["definition_comments"] + 1
    assert after["audit_log"] == before["audit_log"] + 6
    h = proposals.history(db, "conversion_rate")
    assert [(v.version, v.kind, v.comment) for v in h.versions] == [
        (1, "new", "Seed catalog"),
        (2, "change", "First try"),
        (3, "change", "Second try"),
    ]
    assert [(d.version, d.side, d.decision) for v in h.versions for d in v.decisions] == [
        (1, "it", "signed"),
        (1, "marketing", "signed"),
        (2, "it", "declined"),
        (3, "it", "signed"),
        (3, "marketing", "signed"),
    ]
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY logged_at").fetchall()][-6:]
    assert actions == [
        "propose_definition",
        "decline_definition",
        "propose_definition",
        "comment_definition",
        "sign_definition",
        "sign_definition",
    ]


def test_diff_between_any_two_versions_field_by_field(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    proposals.propose_change(
        db, who(db, EXEC), "conversion_rate", {"data_source": "Order system only", "revisit": "2027-09-30"}
    )
    assert [(c.label, c.before, c.after) for c in proposals.diff(db, "conversion_rate", 1, 2)] == [
        ("Target", "3.2", "3.5")
    ]
    changes = proposals.diff(db, "conversion_rate", 1, 3)
    assert [c.field for c in changes] == ["target", "data_source", "revisit"]
    assert changes[-1].after == "2027-09-30"
    assert [c.field for c in proposals.diff(db, "conversion_rate", 3, 1)] == [c.field for c in changes]
    assert proposals.diff(db, "conversion_rate", 2, 2) == []
    with pytest.raises(NotFound, match="no version 9"):
        proposals.diff(db, "conversion_rate", 1, 9)


# ---------------------------------------------------------------- signatures bound to content


def test_a_signature_is_bound_to_the_text_the_signer_read(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    with pytest.raises(InputRejected, match="not the text you read"):
        proposals.sign(db, who(db, IT), "conversion_rate", 2, "it", content_hash="0" * 64)
    assert latest(db, "conversion_rate").decisions == ()


def test_editing_a_field_after_signing_voids_the_agreement(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    sign(db, IT, "conversion_rate", "it")
    sign(db, MKT, "conversion_rate", "marketing")
    assert entry(db, "conversion_rate").definition.target == 3.5
    # Someone edits the stored row behind the app's back: the signatures no longer cover it.
    db.execute("UPDATE metric_versions SET target = 9.9 WHERE metric_id = 'conversion_rate' AND version = 2")
    e = entry(db, "conversion_rate")
    assert (e.status, e.version, e.definition.target) == ("change pending", 1, 3.2)
    v = latest(db, "conversion_rate")
    assert not v.intact and not v.agreed


def test_an_altered_version_cannot_be_signed(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    v = latest(db, "conversion_rate")
    db.execute("UPDATE metric_versions SET red = 1.0 WHERE metric_id = 'conversion_rate' AND version = 2")
    with pytest.raises(InputRejected, match="altered after it was proposed"):
        proposals.sign(db, who(db, IT), "conversion_rate", 2, "it", content_hash=v.content_hash)


# ---------------------------------------------------------------- sign-off refusals


def test_the_same_person_can_never_sign_both_sides(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    sign(db, BOTH, "conversion_rate", "it")
    with pytest.raises(PermissionDenied, match="never sign both sides"):
        sign(db, BOTH, "conversion_rate", "marketing")
    with pytest.raises(PermissionDenied, match="never sign both sides"):
        proposals.decline(db, who(db, BOTH), "conversion_rate", 2, "marketing", "Changed my mind")
    assert entry(db, "conversion_rate").status == "change pending"


def test_a_person_who_declined_one_side_cannot_sign_the_other(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    proposals.decline(db, who(db, BOTH), "conversion_rate", 2, "marketing", "Needs a campaign split")
    with pytest.raises(PermissionDenied, match="never sign both sides"):
        sign(db, BOTH, "conversion_rate", "it")


def test_a_side_is_signed_once_and_an_agreed_version_is_closed(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    sign(db, IT, "conversion_rate", "it")
    with pytest.raises(InputRejected, match=r"already signed by dana\.it@example\.com"):
        sign(db, IT2, "conversion_rate", "it")
    with pytest.raises(InputRejected, match="already signed"):
        proposals.decline(db, who(db, IT2), "conversion_rate", 2, "it", "Late objection")
    sign(db, MKT, "conversion_rate", "marketing")
    with pytest.raises(InputRejected, match="already agreed"):
        sign(db, MKT2, "conversion_rate", "marketing")
    with pytest.raises(InputRejected, match="already agreed"):
        sign(db, IT, "conversion_rate", "it", version=1)


def test_a_decline_needs_a_comment(db: store.Connection) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    with pytest.raises(InputRejected, match="Say why you decline"):
        proposals.decline(db, who(db, IT), "conversion_rate", 2, "it", "   ")


def test_unknown_side_metric_and_version_are_refused(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="Unknown side"):
        proposals.sign(db, who(db, IT), "conversion_rate", 1, "finance", content_hash="x")
    with pytest.raises(NotFound, match="no metric"):
        proposals.sign(db, who(db, IT), "nope", 1, "it", content_hash="x")
    with pytest.raises(NotFound, match="no version 7"):
        proposals.sign(db, who(db, IT), "conversion_rate", 7, "it", content_hash="x")


# ---------------------------------------------------------------- proposal refusals


def test_a_change_that_changes_nothing_is_refused(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="Nothing to propose"):
        proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.2})


def test_the_id_never_changes(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="id never changes"):
        proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"id": "conv"})


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"target": 1.0}, CatalogError, "target >= amber >= red"),
        ({"unit": "furlongs"}, CatalogError, "unit 'furlongs'"),
        ({"colour": "blue"}, CatalogError, "unknown field"),
        ({"supplied_by": "finance"}, CatalogError, "supplied_by"),
        ({"it_owner": "nobody@example.com"}, InputRejected, "not an active person"),
        ({"name": "x" * 41}, InputRejected, "Name can be at most 40"),
        ({"description": "x" * 2001}, InputRejected, "Meaning can be at most"),
        ({"revisit": "someday"}, CatalogError, "Invalid isoformat"),
    ],
)
def test_an_invalid_change_is_refused_with_the_reason(
    db: store.Connection, changes: dict[str, Any], error: type[ScorecardError], message: str
) -> None:
    before = counts(db)
    with pytest.raises(error, match=message):
        proposals.propose_change(db, who(db, EXEC), "conversion_rate", changes)
    assert counts(db) == before


def test_a_new_metric_needs_a_fresh_id_and_known_owners(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="already exists"):
        proposals.propose_new(db, who(db, EXEC), new_fields(id="conversion_rate"))
    with pytest.raises(InputRejected, match=r"Marketing owner 'ghost@example\.com'"):
        proposals.propose_new(db, who(db, EXEC), new_fields(marketing_owner="ghost@example.com"))
    with pytest.raises(CatalogError, match="lowercase"):
        proposals.propose_new(db, who(db, EXEC), new_fields(id="App Conversion"))


def test_retirement_refusals(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="Say why"):
        proposals.propose_retirement(db, who(db, EXEC), "conversion_rate", "")
    proposals.propose_retirement(db, who(db, EXEC), "conversion_rate", "Replaced")
    with pytest.raises(InputRejected, match="already proposed as version 2"):
        proposals.propose_retirement(db, who(db, EXEC), "conversion_rate", "Again")
    sign(db, IT, "conversion_rate", "it")
    sign(db, MKT, "conversion_rate", "marketing")
    with pytest.raises(InputRejected, match="already retired"):
        proposals.propose_retirement(db, who(db, EXEC), "conversion_rate", "Again")
    with pytest.raises(NotFound):
        proposals.propose_retirement(db, who(db, EXEC), "nope", "Gone")


def test_comment_refusals(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="needs some text"):
        proposals.add_comment(db, who(db, EXEC), "conversion_rate", " ")
    with pytest.raises(InputRejected, match="at most 2,000"):
        proposals.add_comment(db, who(db, EXEC), "conversion_rate", "x" * 2001)
    with pytest.raises(NotFound, match="no version 5"):
        proposals.add_comment(db, who(db, EXEC), "conversion_rate", "Hello", version=5)


# ---------------------------------------------------------------- every role, every write

ALLOWED = {
    "propose_new": {"admin", "executive", "it_approver", "marketing_approver"},
    "propose_change": {"admin", "executive", "it_approver", "marketing_approver"},
    "propose_retirement": {"admin", "executive", "it_approver", "marketing_approver"},
    "sign_it": {"it_approver"},
    "sign_marketing": {"marketing_approver"},
    "decline_it": {"it_approver"},
    "decline_marketing": {"marketing_approver"},
    "add_comment": {"admin", "executive", "it_approver", "marketing_approver"},
}


def _write(name: str) -> Callable[[store.Connection, Person | None], object]:
    def pending_hash(con: store.Connection) -> str:
        return latest(con, "conversion_rate").content_hash

    writes: dict[str, Callable[[store.Connection, Person | None], object]] = {
        "propose_new": lambda c, p: proposals.propose_new(c, p, new_fields()),
        "propose_change": lambda c, p: proposals.propose_change(c, p, "conversion_rate", {"target": 3.6}),
        "propose_retirement": lambda c, p: proposals.propose_retirement(c, p, "nps", "Survey ends"),
        "sign_it": lambda c, p: proposals.sign(
            c, p, "conversion_rate", 2, "it", content_hash=pending_hash(c)
        ),
        "sign_marketing": lambda c, p: proposals.sign(
            c, p, "conversion_rate", 2, "marketing", content_hash=pending_hash(c)
        ),
        "decline_it": lambda c, p: proposals.decline(c, p, "conversion_rate", 2, "it", "No"),
        "decline_marketing": lambda c, p: proposals.decline(c, p, "conversion_rate", 2, "marketing", "No"),
        "add_comment": lambda c, p: proposals.add_comment(c, p, "conversion_rate", "A thought"),
    }
    return writes[name]


#: every role and write on the file store; on the lake each write once allowed, once refused
ROLE_WRITES = file_all_lake_some(
    [(write, role) for write in ALLOWED for role in ROLE_PEOPLE],
    first_of_each(lambda case: (case[0], case[1] in ALLOWED[str(case[0])])),
)


@pytest.mark.parametrize(("store_kind", "write", "role"), ROLE_WRITES)
def test_every_role_calling_every_write(store_kind: str, db: store.Connection, role: str, write: str) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    person = who(db, ROLE_PEOPLE[role])
    allowed = role in ALLOWED[write]
    if role == "admin" and write.startswith(("sign", "decline")):
        # Signing is an approver's personal act; the permission table decides for admins.
        allowed = access.can(person, "sign_" + write.split("_")[1])
    before = counts(db)
    if allowed:
        _write(write)(db, person)
        assert counts(db) != before
    else:
        with pytest.raises(PermissionDenied, match="may not"):
            _write(write)(db, person)
        assert counts(db) == before


@pytest.mark.parametrize("write", list(ALLOWED))
def test_nobody_signed_in_is_refused_everything(db: store.Connection, write: str) -> None:
    proposals.propose_change(db, who(db, EXEC), "conversion_rate", {"target": 3.5})
    before = counts(db)
    with pytest.raises(PermissionDenied, match="sign in"):
        _write(write)(db, None)
    assert counts(db) == before


def test_board_members_and_uploaders_cannot_import_proposals(db: store.Connection) -> None:
    for email in (BOARD, UPLOADER):
        with pytest.raises(PermissionDenied):
            proposals.import_proposals(db, who(db, email), new=[new_fields()])
    assert catalog.version_rows(db, "app_conversion") == []


def test_an_import_is_all_or_nothing(db: store.Connection) -> None:
    with pytest.raises(InputRejected, match="Nothing to propose"):
        proposals.import_proposals(
            db, who(db, EXEC), new=[new_fields()], changes=[("conversion_rate", {"target": 3.2})]
        )
    assert catalog.version_rows(db, "app_conversion") == []
    made = proposals.import_proposals(
        db,
        who(db, EXEC),
        new=[new_fields()],
        changes=[("conversion_rate", {"target": 3.4})],
        retirements=["nps"],
        comment="From the workshop",
    )
    assert [(m.metric_id, m.version, m.kind) for m in made] == [
        ("app_conversion", 1, "new"),
        ("conversion_rate", 2, "change"),
        ("nps", 2, "retire"),
    ]
    assert {latest(db, m.metric_id).comment for m in made} == {"From the workshop"}


def test_the_seed_signatures_make_every_seed_metric_agreed_at_version_1(db: store.Connection) -> None:
    h = proposals.history(db, "site_uptime", TODAY)
    (v,) = h.versions
    assert (v.state, v.agreed, v.intact) == ("in force", True, True)
    assert {s: v.signature(s).signer for s in proposals.SIDES} == {"it": IT, "marketing": MKT}  # type: ignore[union-attr]
    assert h.entry.definition.revisit > dt.date(2026, 1, 1)
