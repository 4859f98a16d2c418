"""Shared OKRs: objectives with one IT owner and one marketing owner, 2-5 key results
each bound to an agreed metric, the owners' acceptance, and weekly check-ins.

An objective counts only when both of its owners have accepted the exact revision in
force, the same two-side rule as for definitions: acceptance is bound to a hash of the
revision's content, and an edit adds a new revision that needs both acceptances again.
Nothing is updated in place. Progress is computed (metrics/okrs/progress.py), never typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from metrics import access, clock, periods, store
from metrics.access import Person
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import CatalogEntry, MetricDefinition
from metrics.errors import InputRejected, NotFound, PermissionDenied
from metrics.okrs import progress
from metrics.uploads import observations

MIN_KEY_RESULTS, MAX_KEY_RESULTS = 2, 5
MAX_TITLE = 120
MAX_NOTE = 500
SIDES = ("it", "marketing")
SIDE_LABELS = {"it": "IT", "marketing": "Marketing"}
#: OKRs run for a quarter or a month; a week is too short to move a metric.
PERIOD_CADENCES = ("quarterly", "monthly")


@dataclass(frozen=True)
class ObjectiveDraft:
    """What a person fills in to create or edit an objective."""

    title: str
    period: str  # '2026-Q4' or '2026-11'
    it_owner: str
    marketing_owner: str
    key_results: tuple[progress.KeyResultSpec, ...]


@dataclass(frozen=True)
class CheckIn:
    objective_id: int
    revision: int
    author: str
    confidence: int
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class Objective:
    objective_id: int
    revision: int
    title: str
    period: board.BoardPeriod
    it_owner: str
    marketing_owner: str
    key_results: tuple[progress.KeyResultSpec, ...]
    content_hash: str
    saved_by: str
    saved_at: dt.datetime
    withdrawn: bool
    accepted_by: dict[str, str]  # side -> who accepted this revision's content

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def last_day(self) -> dt.date:
        return self.period.end - dt.timedelta(days=1)

    @property
    def awaiting(self) -> tuple[str, ...]:
        """Sides whose owner has not accepted this revision yet."""
        return tuple(s for s in SIDES if s not in self.accepted_by)

    @property
    def accepted(self) -> bool:
        """Counts: both owners accepted this exact revision, and it is not withdrawn."""
        return not self.withdrawn and not self.awaiting

    def owner(self, side: str) -> str:
        return self.it_owner if side == "it" else self.marketing_owner

    def sides_of(self, email: str) -> tuple[str, ...]:
        return tuple(s for s in SIDES if self.owner(s) == email)


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    key_results: tuple[progress.KeyResultProgress, ...]
    elapsed: float  # share of the objective's period gone by on the day it was read
    last_check_in: CheckIn | None

    @property
    def progress(self) -> float | None:
        """The mean of the key results' progress (each 0 to 1), over those with data."""
        known = [k.progress for k in self.key_results if k.progress is not None]
        return sum(known) / len(known) if known else None

    @property
    def status(self) -> str:
        return progress.worst([k.status for k in self.key_results])


# ---------------------------------------------------------------- checking a draft


def parse_period(text: str) -> board.BoardPeriod:
    period = board.parse_period(text)
    if period.cadence not in PERIOD_CADENCES:
        raise InputRejected("An objective runs for a quarter (2026-Q4) or a month (2026-11).")
    return period


def _check_owners(con: store.Connection, draft: ObjectiveDraft) -> tuple[str, str]:
    owners: list[Person] = []
    for side, raw in (("it", draft.it_owner), ("marketing", draft.marketing_owner)):
        person = access.get_person(con, raw)
        if person is None:
            raise InputRejected(f"The {SIDE_LABELS[side]} owner {raw!r} is not an active person.")
        if not access.can(person, "manage_okrs"):
            raise InputRejected(
                f"{person.name} cannot own an objective: owners accept and check in, which "
                "executives, approvers and admins do."
            )
        owners.append(person)
    if owners[0].email == owners[1].email:
        raise InputRejected("The IT owner and the marketing owner must be two different people.")
    for side, person in zip(SIDES, owners, strict=True):
        access.require_owner(person, side, f"“{draft.title}”")
    return owners[0].email, owners[1].email


def _check_number(value: float, label: str, d: MetricDefinition) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise InputRejected(f"{d.name}: the {label} must be a number.")
    low, high, _ = d.bounds()
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputRejected(f"{d.name}: the {label} {value:g} is outside the metric's accepted range.")
    return float(value)


def _check_key_results(
    specs: Sequence[progress.KeyResultSpec], agreed: dict[str, MetricDefinition], period: board.BoardPeriod
) -> tuple[progress.KeyResultSpec, ...]:
    if not MIN_KEY_RESULTS <= len(specs) <= MAX_KEY_RESULTS:
        raise InputRejected(
            f"An objective has {MIN_KEY_RESULTS} to {MAX_KEY_RESULTS} key results; this one has {len(specs)}."
        )
    ids = [s.metric_id for s in specs]
    if len(set(ids)) != len(ids):
        raise InputRejected("Each key result needs its own metric; a metric is used twice.")
    last_day = period.end - dt.timedelta(days=1)
    checked = []
    for spec in specs:
        d = agreed.get(spec.metric_id)
        if d is None:
            raise InputRejected(
                f"{spec.metric_id!r} is not an agreed metric; key results use agreed metrics."
            )
        if not period.start < spec.due <= last_day:
            raise InputRejected(
                f"{d.name}: the due date must fall after {period.start:%d %b %Y} and by {last_day:%d %b %Y}."
            )
        baseline = _check_number(spec.baseline, "baseline", d)
        target = _check_number(spec.target, "target", d)
        checked.append(progress.KeyResultSpec(d.id, baseline, target, spec.due))
    return tuple(checked)


def content_hash(
    title: str, period: str, owners: tuple[str, str], specs: Sequence[progress.KeyResultSpec]
) -> str:
    """What an acceptance covers: every field of the revision."""
    content = {
        "title": title,
        "period": period,
        "it_owner": owners[0],
        "marketing_owner": owners[1],
        "key_results": [[s.metric_id, s.baseline, s.target, s.due.isoformat()] for s in specs],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- writing


def _agreed(con: store.Connection, today: dt.date | None) -> dict[str, MetricDefinition]:
    return {e.definition.id: e.definition for e in catalog.board_entries(con, today)}


def _insert_revision(
    con: store.Connection,
    objective_id: int,
    revision: int,
    *,
    title: str,
    period: str,
    owners: tuple[str, str],
    specs: Sequence[progress.KeyResultSpec],
    withdrawn: bool,
    by: str,
) -> str:
    digest = content_hash(title, period, owners, specs)
    con.execute(
        "INSERT INTO objectives (objective_id, revision, title, period, it_owner, marketing_owner, withdrawn, content_hash, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [objective_id, revision, title, period, owners[0], owners[1], withdrawn, digest, by, clock.now()],
    )
    for position, s in enumerate(specs, start=1):
        con.execute(
            "INSERT INTO key_results (objective_id, revision, position, metric_id, baseline, target, due) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [objective_id, revision, position, s.metric_id, s.baseline, s.target, s.due],
        )
    return digest


def save(
    con: store.Connection,
    person: Person,
    draft: ObjectiveDraft,
    objective_id: int | None = None,
    today: dt.date | None = None,
) -> Objective:
    """Create an objective, or edit one by adding a revision (which needs both acceptances again)."""
    access.require(person, "manage_okrs")
    title = " ".join(draft.title.split())
    if not title or len(title) > MAX_TITLE:
        raise InputRejected(f"An objective needs a title of at most {MAX_TITLE} characters.")
    period = parse_period(draft.period)
    owners = _check_owners(con, draft)
    specs = _check_key_results(draft.key_results, _agreed(con, today), period)
    with store.transaction(con):
        if objective_id is None:
            objective_id, revision = store.next_id(con, "objective_ids"), 1
        else:
            current = get(con, objective_id)
            if current.withdrawn:
                raise InputRejected(f"Objective {objective_id} was withdrawn; create a new one instead.")
            revision = current.revision + 1
        _insert_revision(
            con,
            objective_id,
            revision,
            title=title,
            period=_period_text(period),
            owners=owners,
            specs=specs,
            withdrawn=False,
            by=person.email,
        )
        store.audit(
            con,
            person.email,
            "save_objective",
            str(objective_id),
            json.dumps({"revision": revision, "title": title, "key_results": [s.metric_id for s in specs]}),
        )
    return get(con, objective_id)


def withdraw(con: store.Connection, person: Person, objective_id: int) -> None:
    """Take an objective off the OKR page; its revisions, check-ins and wins stay."""
    access.require(person, "manage_okrs")
    with store.transaction(con):
        current = get(con, objective_id)
        if current.withdrawn:
            raise InputRejected(f"Objective {objective_id} is already withdrawn.")
        _insert_revision(
            con,
            objective_id,
            current.revision + 1,
            title=current.title,
            period=_period_text(current.period),
            owners=(current.it_owner, current.marketing_owner),
            specs=current.key_results,
            withdrawn=True,
            by=person.email,
        )
        store.audit(con, person.email, "withdraw_objective", str(objective_id))


def _period_text(period: board.BoardPeriod) -> str:
    return period.label if period.cadence == "quarterly" else f"{period.start:%Y-%m}"


def draft_of(objective: Objective) -> ObjectiveDraft:
    """The revision in force as a draft: where an edit starts."""
    return ObjectiveDraft(
        objective.title,
        _period_text(objective.period),
        objective.it_owner,
        objective.marketing_owner,
        objective.key_results,
    )


def accept(con: store.Connection, person: Person, objective_id: int) -> Objective:
    """An owner accepts the revision in force for their side (both sides, if they own both)."""
    access.require(person, "manage_okrs")
    with store.transaction(con):
        current = get(con, objective_id)
        if current.withdrawn:
            raise InputRejected("A withdrawn objective cannot be accepted.")
        if not current.sides_of(person.email):
            raise PermissionDenied(
                f"Only the objective's owners ({current.it_owner}, {current.marketing_owner}) may accept it."
            )
        sides = [s for s in current.sides_of(person.email) if s in current.awaiting]
        if not sides:
            raise InputRejected("You have already accepted this revision.")
        for side in sides:
            _insert_acceptance(
                con, objective_id, current.revision, side, person.email, current.content_hash, clock.now()
            )
        store.audit(
            con,
            person.email,
            "accept_objective",
            str(objective_id),
            json.dumps({"revision": current.revision, "sides": sides}),
        )
    return get(con, objective_id)


def _insert_acceptance(
    con: store.Connection,
    objective_id: int,
    revision: int,
    side: str,
    email: str,
    digest: str,
    at: dt.datetime,
) -> None:
    con.execute(
        "INSERT INTO objective_acceptances (objective_id, revision, side, person, content_hash, accepted_at) VALUES (?, ?, ?, ?, ?, ?)",
        [objective_id, revision, side, email, digest, at],
    )


def check_in(con: store.Connection, person: Person, objective_id: int, confidence: int, note: str) -> CheckIn:
    """An owner's weekly word on an accepted objective: confidence 1-10 and a note."""
    access.require(person, "manage_okrs")
    current = get(con, objective_id)
    if not current.sides_of(person.email):
        raise PermissionDenied("Only the objective's two owners check in on it.")
    if not current.accepted:
        raise InputRejected("Check-ins start once both owners have accepted the objective.")
    if isinstance(confidence, bool) or not isinstance(confidence, int) or not 1 <= confidence <= 10:
        raise InputRejected("Confidence is a whole number from 1 (will miss) to 10 (certain).")
    text = " ".join(note.split())
    if not text or len(text) > MAX_NOTE:
        raise InputRejected(f"A check-in needs a note of at most {MAX_NOTE} characters.")
    entry = CheckIn(objective_id, current.revision, person.email, confidence, text, clock.now())
    with store.transaction(con):
        _insert_check_in(con, entry)
        store.audit(con, person.email, "check_in", str(objective_id), json.dumps({"confidence": confidence}))
    return entry


def _insert_check_in(con: store.Connection, c: CheckIn) -> None:
    con.execute(
        "INSERT INTO check_ins (objective_id, revision, author, confidence, note, checked_at) VALUES (?, ?, ?, ?, ?, ?)",
        [c.objective_id, c.revision, c.author, c.confidence, c.note, c.at],
    )


# ---------------------------------------------------------------- reading


def _specs(con: store.Connection) -> dict[tuple[int, int], list[progress.KeyResultSpec]]:
    rows = con.execute(
        "SELECT objective_id, revision, metric_id, baseline, target, due FROM key_results "
        "ORDER BY objective_id, revision, position"
    ).fetchall()
    found: dict[tuple[int, int], list[progress.KeyResultSpec]] = {}
    for r in rows:
        found.setdefault((int(r[0]), int(r[1])), []).append(progress.KeyResultSpec(r[2], r[3], r[4], r[5]))
    return found


def _acceptances(con: store.Connection) -> dict[tuple[int, int], dict[str, str]]:
    """side -> person, for acceptances by the side's owner that cover the revision's content."""
    rows = con.execute(
        "SELECT a.objective_id, a.revision, a.side, a.person FROM objective_acceptances a "
        "JOIN objectives o ON o.objective_id = a.objective_id AND o.revision = a.revision "
        "WHERE a.content_hash = o.content_hash AND a.person = "
        "CASE a.side WHEN 'it' THEN o.it_owner ELSE o.marketing_owner END"
    ).fetchall()
    found: dict[tuple[int, int], dict[str, str]] = {}
    for r in rows:
        found.setdefault((int(r[0]), int(r[1])), {})[r[2]] = r[3]
    return found


def objectives(con: store.Connection, *, include_withdrawn: bool = False) -> list[Objective]:
    """The revision in force of every objective, oldest objective first."""
    rows = con.execute(
        "SELECT objective_id, revision, title, period, it_owner, marketing_owner, content_hash, "
        "saved_by, saved_at, withdrawn FROM objectives "
        "QUALIFY revision = max(revision) OVER (PARTITION BY objective_id) ORDER BY objective_id"
    ).fetchall()
    specs, accepted = _specs(con), _acceptances(con)
    result = []
    for r in rows:
        key = (int(r[0]), int(r[1]))
        objective = Objective(
            key[0],
            key[1],
            r[2],
            parse_period(r[3]),
            r[4],
            r[5],
            tuple(specs.get(key, ())),
            r[6],
            r[7],
            r[8],
            bool(r[9]),
            accepted.get(key, {}),
        )
        if include_withdrawn or not objective.withdrawn:
            result.append(objective)
    return result


def get(con: store.Connection, objective_id: int) -> Objective:
    for objective in objectives(con, include_withdrawn=True):
        if objective.objective_id == objective_id:
            return objective
    raise NotFound(f"There is no objective {objective_id}.")


def check_ins(
    con: store.Connection,
    objective_id: int | None = None,
    *,
    first: dt.datetime | None = None,
    last: dt.datetime | None = None,
) -> list[CheckIn]:
    """Check-ins, oldest first; optionally for one objective and within [first, last)."""
    filters, params = ["TRUE"], []
    for clause, value in (
        ("objective_id = ?", objective_id),
        ("checked_at >= ?", first),
        ("checked_at < ?", last),
    ):
        if value is not None:
            filters.append(clause)
            params.append(value)
    rows = con.execute(
        "SELECT objective_id, revision, author, confidence, note, checked_at FROM check_ins "
        f"WHERE {' AND '.join(filters)} ORDER BY checked_at",
        params,
    ).fetchall()
    return [CheckIn(int(r[0]), int(r[1]), r[2], int(r[3]), r[4], r[5]) for r in rows]


def histories(
    con: store.Connection, metric_ids: Sequence[str], as_of: dt.datetime | None = None
) -> dict[str, pd.DataFrame]:
    """Each metric's values in force, as known at ``as_of`` (whole series, oldest first)."""
    values = observations.values_in_force(con, list(metric_ids), as_of=as_of)
    return {
        m: values.loc[values["metric_id"] == m, ["period_start", "value"]].reset_index(drop=True)
        for m in metric_ids
    }


def evaluate(
    con: store.Connection,
    today: dt.date,
    *,
    on: dt.date | None = None,
    accepted_only: bool = False,
    as_of: dt.datetime | None = None,
) -> list[ObjectiveProgress]:
    """Every objective's progress on day ``on`` (default today), from the values in force
    (as known at ``as_of``: values and check-ins recorded by then).

    A key result whose metric is no longer agreed is left out (its progress cannot be read)."""
    on = on or today
    agreed = _agreed(con, today)
    found = [o for o in objectives(con) if o.accepted or not accepted_only]
    wanted = sorted({s.metric_id for o in found for s in o.key_results if s.metric_id in agreed})
    history = histories(con, wanted, as_of)
    latest: dict[int, CheckIn] = {}
    last = dt.datetime.combine(on + dt.timedelta(days=1), dt.time())
    for c in check_ins(con, last=last if as_of is None else min(last, as_of + dt.timedelta(microseconds=1))):
        latest[c.objective_id] = c
    result = []
    for o in found:
        krs = tuple(
            progress.evaluate(s, agreed[s.metric_id], history[s.metric_id], o.start, on)
            for s in o.key_results
            if s.metric_id in agreed
        )
        result.append(
            ObjectiveProgress(
                o, krs, progress.elapsed_share(o.start, o.last_day, on), latest.get(o.objective_id)
            )
        )
    return result


def owner_choices(con: store.Connection, side: str | None = None) -> list[Person]:
    """People who may own an objective (they accept and check in), on ``side`` if given."""
    return [
        p
        for p in access.people(con)
        if access.can(p, "manage_okrs") and (side is None or access.side_of(p) == side)
    ]


def metric_choices(con: store.Connection, today: dt.date | None = None) -> list[CatalogEntry]:
    return sorted(catalog.board_entries(con, today), key=lambda e: e.definition.name)


def default_period(today: dt.date) -> board.BoardPeriod:
    return board.BoardPeriod("quarterly", periods.period_start(today, "quarterly"))
