"""Proposals and two-party sign-off: propose, sign, decline, comment, history, diff.

A change never edits a stored version; it adds a new one. A version is agreed when
an IT approver and a marketing approver, two different people, have each signed the
content hash of exactly that version. A decline is a signer's written "not yet": it
is kept with its comment, and the proposal stays open for a new version. Nothing
here ever deletes or updates a row.

Every write checks the acting person with ``access.require`` first and leaves an
audit record; each public write is one transaction. ``import_proposals`` lets the
command line make many proposals all or nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from metrics import access, clock, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import MetricDefinition
from metrics.catalog.versions import (
    FIELD_LABELS,
    KIND_LABELS,
    KINDS,
    SIDE_ACTIONS,
    SIDE_LABELS,
    SIDES,
    Comment,
    Decision,
    FieldChange,
    History,
    Version,
    awaiting,
    diff,
    diff_definitions,
    format_field,
    history,
    open_versions,
    owned_due_for_review,
    sides_for,
    signable_sides,
)
from metrics.errors import InputRejected, PermissionDenied

# Reading lives in metrics/catalog/versions.py; it is re-exported here so callers need one module.
__all__ = [
    "EDITABLE_FIELDS",
    "FIELD_LABELS",
    "KINDS",
    "KIND_LABELS",
    "SIDES",
    "SIDE_ACTIONS",
    "SIDE_LABELS",
    "Comment",
    "Decision",
    "FieldChange",
    "History",
    "Proposal",
    "Version",
    "add_comment",
    "awaiting",
    "decline",
    "diff",
    "diff_definitions",
    "format_field",
    "history",
    "import_proposals",
    "open_versions",
    "owned_due_for_review",
    "propose_change",
    "propose_new",
    "propose_retirement",
    "sides_for",
    "sign",
    "signable_sides",
]

EDITABLE_FIELDS = tuple(f.name for f in dataclasses.fields(MetricDefinition) if f.name != "id")

#: longest text accepted in a field or comment (characters)
TEXT_LIMITS = {"name": 40, "description": 2000, "calculation": 2000, "data_source": 200, "unit_label": 20}
COMMENT_LIMIT = 2000


# ---------------------------------------------------------------- checks


def _clean_comment(comment: str | None, *, required: str | None = None) -> str | None:
    text = " ".join((comment or "").split()) or None
    if text is None and required:
        raise InputRejected(required)
    if text is not None and len(text) > COMMENT_LIMIT:
        raise InputRejected(f"A comment can be at most {COMMENT_LIMIT:,} characters.")
    return text


def _check_texts(definition: MetricDefinition) -> None:
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(definition, name)) > limit:
            raise InputRejected(f"{FIELD_LABELS[name]} can be at most {limit:,} characters.")


def _check_owners(con: store.Connection, definition: MetricDefinition, fields: Iterable[str]) -> None:
    for name in fields:
        email = getattr(definition, name)
        person = access.get_person(con, email)
        if person is None:
            raise InputRejected(f"{FIELD_LABELS[name]} {email!r} is not an active person in the scorecard.")
        access.require_owner(person, name.removesuffix("_owner"), definition.name)


def _build(con: store.Connection, raw: Mapping[str, Any]) -> MetricDefinition:
    definition = catalog.definition_from_mapping(raw, catalog.teams(con))
    _check_texts(definition)
    return definition


def _check_side(side: str) -> str:
    if side not in SIDES:
        raise InputRejected(f"Unknown side {side!r}: sides are {', '.join(SIDES)}.")
    return side


def _audit(con: store.Connection, actor: Person, action: str, metric_id: str, **detail: Any) -> None:
    store.audit(con, actor.email, action, metric_id, json.dumps(detail, default=str))


# ---------------------------------------------------------------- writing


def _propose_new(
    con: store.Connection, person: Person, fields: Mapping[str, Any], comment: str | None
) -> int:
    definition = _build(con, fields)
    if catalog.version_rows(con, definition.id):
        raise InputRejected(
            f"A metric with the id {definition.id!r} already exists; propose a change to it instead."
        )
    _check_owners(con, definition, ("it_owner", "marketing_owner"))
    version = catalog.add_version(con, definition, proposed_by=person.email, kind="new", comment=comment)
    _audit(
        con,
        person,
        "propose_definition",
        definition.id,
        version=version,
        kind="new",
        content_hash=definition.content_hash(),
    )
    return version


def _propose_change(
    con: store.Connection,
    person: Person,
    metric_id: str,
    changes: Mapping[str, Any],
    comment: str | None,
) -> int:
    h = history(con, metric_id)
    if "id" in changes and changes["id"] != metric_id:
        raise InputRejected("A metric's id never changes (its stored values are filed under it).")
    base = h.latest.definition
    definition = _build(con, {**base.content(), **changes, "id": metric_id})
    if definition.content_hash() == h.latest.content_hash and h.latest.kind != "retire":
        raise InputRejected(
            f"Nothing to propose: version {h.latest.version} of {metric_id} already says exactly this."
        )
    changed_owners = [
        f for f in ("it_owner", "marketing_owner") if getattr(definition, f) != getattr(base, f)
    ]
    _check_owners(con, definition, changed_owners)
    version = catalog.add_version(con, definition, proposed_by=person.email, kind="change", comment=comment)
    _audit(
        con,
        person,
        "propose_definition",
        metric_id,
        version=version,
        kind="change",
        fields=[c.field for c in diff_definitions(base, definition)],
        content_hash=definition.content_hash(),
    )
    return version


def propose_new(
    con: store.Connection, person: Person | None, fields: Mapping[str, Any], comment: str | None = None
) -> int:
    """Propose a metric that does not exist yet; returns its version (1). Nothing
    counts until both sides sign."""
    actor = access.require(person, "propose_definition")
    text = _clean_comment(comment)
    with store.transaction(con):
        return _propose_new(con, actor, fields, text)


def propose_change(
    con: store.Connection,
    person: Person | None,
    metric_id: str,
    changes: Mapping[str, Any],
    comment: str | None = None,
) -> int:
    """Propose a new version: the newest version with ``changes`` applied. The version
    in force stays in force (and on the board) until both sides sign the new one."""
    actor = access.require(person, "propose_definition")
    text = _clean_comment(comment)
    with store.transaction(con):
        return _propose_change(con, actor, metric_id, changes, text)


def _propose_retirement(con: store.Connection, person: Person, metric_id: str, comment: str | None) -> int:
    h = history(con, metric_id)
    if h.entry.status == "retired" and h.open_version is None:
        raise InputRejected(f"{metric_id} is already retired.")
    if h.latest.kind == "retire" and h.latest.state == "open":
        raise InputRejected(
            f"Retiring {metric_id} is already proposed as version {h.latest.version}; it awaits signatures."
        )
    # Retiring keeps the definition people agreed to, so the history reads "this, then retired".
    definition = h.entry.definition if h.entry.status != "proposed" else h.latest.definition
    version = catalog.add_version(con, definition, proposed_by=person.email, kind="retire", comment=comment)
    _audit(
        con,
        person,
        "propose_definition",
        metric_id,
        version=version,
        kind="retire",
        content_hash=definition.content_hash(),
    )
    return version


def propose_retirement(
    con: store.Connection, person: Person | None, metric_id: str, comment: str | None
) -> int:
    """Propose retiring a metric. Once both sides sign, it leaves the board; its
    versions, signatures and values stay."""
    actor = access.require(person, "propose_definition")
    text = _clean_comment(comment, required="Say why the metric should be retired.")
    with store.transaction(con):
        return _propose_retirement(con, actor, metric_id, text)


def _signable(
    con: store.Connection, person: Person, metric_id: str, number: int, side: str, content_hash: str | None
) -> Version:
    """The version, if this person may decide on this side of it now; else a plain refusal."""
    h = history(con, metric_id)
    version = h.version(number)
    if not version.intact:
        raise InputRejected(
            f"Version {number} of {metric_id} was altered after it was proposed, so it cannot be "
            "signed. Propose a new version."
        )
    if content_hash is not None and content_hash != version.content_hash:
        raise InputRejected(
            f"Version {number} of {metric_id} is not the text you read (its content hash differs). "
            "Reload the definition and read it again before deciding."
        )
    if version.agreed:
        raise InputRejected(f"Version {number} of {metric_id} is already agreed by both sides.")
    if version.state != "open":
        raise InputRejected(
            f"Version {number} of {metric_id} was superseded by version {h.latest.version}; "
            "decide on the newest version."
        )
    other_sides = version.acted_for(person.email) - {side}
    if other_sides:
        raise PermissionDenied(
            f"You already decided for the {SIDE_LABELS[other_sides.pop()]} side of version {number}; "
            "the same person can never sign both sides of one version."
        )
    signed = version.signature(side)
    if signed is not None:
        raise InputRejected(
            f"The {SIDE_LABELS[side]} side of version {number} of {metric_id} was already signed by "
            f"{signed.signer} on {signed.at:%d %b %Y}."
        )
    return version


def sign(
    con: store.Connection,
    person: Person | None,
    metric_id: str,
    version: int,
    side: str,
    *,
    content_hash: str,
    comment: str | None = None,
) -> bool:
    """Sign one side of one version, bound to ``content_hash`` (the hash of the text
    the signer read). Returns True when this signature makes the version agreed."""
    actor = access.require(person, SIDE_ACTIONS[_check_side(side)])
    text = _clean_comment(comment)
    with store.transaction(con):
        v = _signable(con, actor, metric_id, version, side, content_hash)
        catalog.record_signature(
            con, metric_id, version, side=side, signer=actor.email, content_hash=v.content_hash, comment=text
        )
        agreed = (metric_id, version) in catalog.agreed_versions(con, catalog.version_rows(con, metric_id))
        _audit(
            con,
            actor,
            "sign_definition",
            metric_id,
            version=version,
            side=side,
            content_hash=v.content_hash,
            agreed=agreed,
        )
    return agreed


def decline(
    con: store.Connection,
    person: Person | None,
    metric_id: str,
    version: int,
    side: str,
    comment: str,
    *,
    content_hash: str | None = None,
) -> None:
    """Decline one side of one version with a comment saying why. The version stays
    open: the side may still sign it later, or anyone may propose a new version."""
    actor = access.require(person, SIDE_ACTIONS[_check_side(side)])
    text = _clean_comment(comment, required="Say why you decline, so the proposer can answer it.")
    with store.transaction(con):
        v = _signable(con, actor, metric_id, version, side, content_hash)
        catalog.record_signature(
            con,
            metric_id,
            version,
            side=side,
            signer=actor.email,
            content_hash=v.content_hash,
            decision="declined",
            comment=text,
        )
        _audit(con, actor, "decline_definition", metric_id, version=version, side=side, comment=text)


def add_comment(
    con: store.Connection, person: Person | None, metric_id: str, body: str, version: int | None = None
) -> None:
    """Add a comment to a metric's discussion (optionally about one version)."""
    actor = access.require(person, "comment")
    text = _clean_comment(body, required="A comment needs some text.")
    with store.transaction(con):
        h = history(con, metric_id)
        if version is not None:
            h.version(version)
        con.execute(
            "INSERT INTO definition_comments (metric_id, version, author, body, written_at) VALUES (?, ?, ?, ?, ?)",
            [metric_id, version, actor.email, text, clock.now()],
        )
        _audit(con, actor, "comment_definition", metric_id, version=version)


@dataclass(frozen=True)
class Proposal:
    """One proposal made by an import: what, which version, of which kind."""

    metric_id: str
    version: int
    kind: str


def import_proposals(
    con: store.Connection,
    person: Person | None,
    new: Iterable[Mapping[str, Any]] = (),
    changes: Iterable[tuple[str, Mapping[str, Any]]] = (),
    retirements: Iterable[str] = (),
    comment: str | None = None,
) -> list[Proposal]:
    """Make many proposals all or nothing (the command line's ``catalog import``)."""
    actor = access.require(person, "propose_definition")
    text = _clean_comment(comment)
    made: list[Proposal] = []
    with store.transaction(con):
        for fields in new:
            version = _propose_new(con, actor, fields, text)
            made.append(Proposal(str(fields["id"]), version, "new"))
        for metric_id, fields in changes:
            made.append(Proposal(metric_id, _propose_change(con, actor, metric_id, fields, text), "change"))
        for metric_id in retirements:
            made.append(Proposal(metric_id, _propose_retirement(con, actor, metric_id, text), "retire"))
    return made
