"""Wins, celebrated together: a key result reaching its target, or an agreed metric back
on target (green) after being off target (red). Each win is credited to both owners'
teams: the objective's owners for a key result, the metric's owners for a metric.

Wins are found from the stored values (never typed in). Recording one keeps it in the
feed even if a later restatement undoes it: what was celebrated stays celebrated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from metrics import access, clock, periods, store
from metrics.access import Person
from metrics.board import status
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import MetricDefinition
from metrics.okrs import objectives as okrs
from metrics.okrs import progress

KEY_RESULT, BACK_TO_GREEN = "key_result", "back_to_green"
KIND_LABELS = {KEY_RESULT: "Key result reached", BACK_TO_GREEN: "Back on target"}
#: how far back the feed looks for metrics back on target
FEED_DAYS = 182

_Credit = Callable[[Sequence[str]], tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass(frozen=True)
class Win:
    key: str  # what makes it one win: recorded once
    kind: str
    metric_id: str
    objective_id: int | None
    period_start: dt.date  # the metric's period in which it happened
    last_day: dt.date  # that period's last day
    headline: str
    teams: tuple[str, ...]
    people: tuple[str, ...]
    recorded_at: dt.datetime | None = None
    slipped: bool = False  # a key result reached, now off track again (read when the feed is made)

    @property
    def credit(self) -> str:
        return " and ".join(self.teams)

    @property
    def text(self) -> str:
        """The headline as every place shows it: a reached key result now off track says so."""
        return f"{self.headline} (since slipped)" if self.slipped else self.headline


def _credit(
    owners: Sequence[str], team_of: dict[str, str | None], team_names: dict[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Both owners' teams by name (the person's own name when they have no team)."""
    teams = []
    for email in owners:
        team = team_of.get(email)
        teams.append(team_names.get(team, team) if team else email.split("@")[0])
    return tuple(dict.fromkeys(teams)), tuple(owners)


def _complete(history: pd.DataFrame, cadence: str, today: dt.date) -> list[tuple[dt.date, float]]:
    return [
        (s, float(v))
        for s, v in zip(history["period_start"], history["value"], strict=True)
        if periods.shift(s, cadence, 1) <= today
    ]


def _last_day(start: dt.date, cadence: str) -> dt.date:
    return periods.shift(start, cadence, 1) - dt.timedelta(days=1)


def back_to_green(points: Iterable[tuple[dt.date, float]], d: MetricDefinition) -> list[dt.date]:
    """Period starts where the metric read on target and had read off target since it last was."""
    found, off_since_on = [], False
    for start, value in points:
        word = status.word(value, d)
        if word == status.OFF_TARGET:
            off_since_on = True
        elif word == status.ON_TARGET:
            if off_since_on:
                found.append(start)
            off_since_on = False
    return found


def first_reached(
    points: Iterable[tuple[dt.date, float]], spec: progress.KeyResultSpec, d: MetricDefinition, start: dt.date
) -> dt.date | None:
    """The first period in the key result's window whose value reached the target."""
    for period_start, value in points:
        if start <= period_start <= spec.due and progress.is_better(value, spec.target, d):
            return period_start
    return None


def _metric_wins(
    agreed: dict[str, MetricDefinition], history: dict[str, pd.DataFrame], today: dt.date, credit: _Credit
) -> list[Win]:
    found = []
    for d in agreed.values():
        teams, people = credit((d.it_owner, d.marketing_owner))
        for start in back_to_green(_complete(history[d.id], d.cadence, today), d):
            found.append(
                Win(
                    f"green:{d.id}:{start.isoformat()}",
                    BACK_TO_GREEN,
                    d.id,
                    None,
                    start,
                    _last_day(start, d.cadence),
                    f"{d.name} is back on target after being off target",
                    teams,
                    people,
                )
            )
    return found


def _key_result_wins(
    objectives: Iterable[okrs.Objective],
    agreed: dict[str, MetricDefinition],
    history: dict[str, pd.DataFrame],
    today: dt.date,
    credit: _Credit,
) -> list[Win]:
    found = []
    for o in objectives:
        if not o.accepted:
            continue
        teams, people = credit((o.it_owner, o.marketing_owner))
        for spec in o.key_results:
            metric = agreed.get(spec.metric_id)
            if metric is None or progress.is_guardrail(spec, metric):  # holding a line is not reaching one
                continue
            reached = first_reached(
                _complete(history[metric.id], metric.cadence, today), spec, metric, o.start
            )
            if reached is None:
                continue
            found.append(
                Win(
                    f"kr:{o.objective_id}:{metric.id}:{spec.target:g}:{spec.due.isoformat()}",
                    KEY_RESULT,
                    metric.id,
                    o.objective_id,
                    reached,
                    _last_day(reached, metric.cadence),
                    f"{metric.name} reached its target of {status.format_value(spec.target, metric)} "
                    f"for “{o.title}”",
                    teams,
                    people,
                )
            )
    return found


def detect(
    con: store.Connection, today: dt.date, since: dt.date | None = None, as_of: dt.datetime | None = None
) -> list[Win]:
    """Every win the stored values show (as known at ``as_of``), for periods ending on or after ``since``."""
    since = since or today - dt.timedelta(days=FEED_DAYS)
    agreed = {e.definition.id: e.definition for e in catalog.board_entries(con, today, as_of)}
    history = okrs.histories(con, sorted(agreed), as_of)
    team_of = {p.email: p.team for p in access.people(con)}
    team_names = catalog.teams(con)

    def credit(owners: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return _credit(owners, team_of, team_names)

    found = _metric_wins(agreed, history, today, credit) + _key_result_wins(
        okrs.objectives(con), agreed, history, today, credit
    )
    return [w for w in found if w.last_day >= since]


def recorded(con: store.Connection) -> list[Win]:
    rows = con.execute(
        "SELECT win_key, kind, metric_id, objective_id, period_start, last_day, headline, teams, people, "
        "recorded_at FROM wins ORDER BY recorded_at"
    ).fetchall()
    return [
        Win(
            r[0],
            r[1],
            r[2],
            None if r[3] is None else int(r[3]),
            r[4],
            r[5],
            r[6],
            tuple(r[7]),
            tuple(r[8]),
            r[9],
        )
        for r in rows
    ]


def record_new(con: store.Connection, person: Person, today: dt.date) -> list[Win]:
    """Keep every win the data shows that is not kept yet; returns the newly kept ones."""
    access.require(person, "manage_okrs")
    with store.transaction(con):
        kept = {w.key for w in recorded(con)}
        fresh = [w for w in detect(con, today) if w.key not in kept]
        for w in fresh:
            _insert(con, w, person.email)
        if fresh:
            store.audit(con, person.email, "record_wins", None, json.dumps({"wins": [w.key for w in fresh]}))
    return fresh


def _insert(con: store.Connection, w: Win, by: str) -> None:
    con.execute(
        "INSERT INTO wins (win_key, kind, metric_id, objective_id, period_start, last_day, headline, teams, people, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            w.key,
            w.kind,
            w.metric_id,
            w.objective_id,
            w.period_start,
            w.last_day,
            w.headline,
            list(w.teams),
            list(w.people),
            by,
            clock.now(),
        ],
    )


def feed(
    con: store.Connection,
    today: dt.date,
    *,
    since: dt.date | None = None,
    limit: int = 10,
    as_of: dt.datetime | None = None,
) -> list[Win]:
    """Kept wins and the ones the data shows now (as known at ``as_of``), newest first."""
    since = since or today - dt.timedelta(days=FEED_DAYS)
    kept = [
        w
        for w in recorded(con)
        if w.last_day >= since and (as_of is None or w.recorded_at is None or w.recorded_at <= as_of)
    ]
    keys = {w.key for w in kept}
    every = kept + [w for w in detect(con, today, since, as_of) if w.key not in keys]
    newest = sorted(every, key=lambda w: (w.last_day, w.key), reverse=True)[:limit]
    off_track = (
        _off_track_key_results(con, today, as_of) if any(w.kind == KEY_RESULT for w in newest) else set()
    )
    return [
        dataclasses.replace(w, slipped=True) if (w.objective_id, w.metric_id) in off_track else w
        for w in newest
    ]


def _off_track_key_results(
    con: store.Connection, today: dt.date, as_of: dt.datetime | None = None
) -> set[tuple[int | None, str]]:
    """(objective, metric) of every key result that reads off track today (as known at ``as_of``)."""
    return {
        (o.objective.objective_id, k.spec.metric_id)
        for o in okrs.evaluate(con, today, as_of=as_of)
        for k in o.key_results
        if k.status == progress.OFF_TRACK
    }


#: a monthly value arrives up to two months after its period began; older wins kept late are not news
LATE_DAYS = 62


def in_week(wins: Iterable[Win], first: dt.date, last: dt.date) -> list[Win]:
    """Wins of a week: whose period ended in it, or first kept in it for a recent period (a late value)."""
    return [
        w
        for w in wins
        if first <= w.last_day <= last
        or (
            w.recorded_at is not None
            and first <= w.recorded_at.date() <= last
            and w.last_day >= first - dt.timedelta(days=LATE_DAYS)
        )
    ]
