"""The weekly check-in brief: what changed in one ISO week, for the CIO and CMO's meeting.

For week W it gathers, against the week before: agreed metrics whose red/amber/green
changed, key results that slipped, stale data, definitions waiting for a signature or
due for review, incidents, releases and campaigns on the timeline, owners' notes and
check-ins written that week, and the wins. Numbers are the values in force now for
periods that had ended by the end of the week. It renders as Markdown and as PDF, and
a kept brief stays as made (both files), listed newest first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from metrics import access, clock, store
from metrics.access import Person
from metrics.board import commentary, status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.board.view import BoardPeriod, Tile
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected, NotFound
from metrics.okrs import objectives as okrs
from metrics.okrs import progress, wins

WAITING = ("proposed", "change pending")
# Enough to keep data text literal (no emphasis, links, HTML, tables or maths) while the
# .md file stays readable: list and heading markers only matter at a line's start, which
# every line here begins with our own "- " or "## ".
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]  # plain text, one item each
    empty: str  # what to say when there is nothing


@dataclass(frozen=True)
class Brief:
    week: BoardPeriod
    made_on: dt.date
    sections: tuple[Section, ...]
    as_of: dt.date | None = None  # a past day whose knowledge the brief shows; None = when made

    @property
    def basis(self) -> str:
        """Which values it reads: 'the values in force' or 'the values as known on 23 Nov 2026'."""
        return (
            "the values in force" if self.as_of is None else f"the values as known on {self.as_of:%d %b %Y}"
        )

    @property
    def title(self) -> str:
        return f"Weekly check-in brief, {self.week.label} ({self.week.dates})"

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)


@dataclass(frozen=True)
class KeptBrief:
    brief_id: int
    week: str
    made_by: str
    made_at: dt.datetime


def parse_week(text: str) -> BoardPeriod:
    period = board.parse_period(text)
    if period.cadence != "weekly":
        raise InputRejected(f"{text!r} is not an ISO week; write it as 2026-W47.")
    return period


def latest_week(today: dt.date) -> BoardPeriod:
    return board.latest_period(today, "weekly")


# ---------------------------------------------------------------- gathering


def _rag_changes(now: Sequence[Tile], before: Sequence[Tile]) -> list[str]:
    earlier = {t.definition.id: t for t in before}
    lines = []
    for tile in now:
        old = earlier.get(tile.definition.id)
        if old is None or status.NO_DATA in (old.word, tile.word) or old.word == tile.word:
            continue
        d = tile.definition
        lines.append(
            f"{d.name}: {old.word} → {tile.word} "
            f"({status.format_value(old.latest, d)} → {status.format_value(tile.latest, d)}; "
            f"target {status.format_value(d.target, d)})"
        )
    return lines


def _stale(now: Sequence[Tile]) -> list[str]:
    return [
        f"{t.definition.name}: newest value {t.period_label if t.latest_period else 'none yet'}, "
        f"supplied by {t.definition.supplied_by}"
        for t in now
        if t.stale
    ]


def _kr_line(o: okrs.Objective, k: progress.KeyResultProgress) -> str:
    d = k.definition
    share = "no data yet" if k.progress is None else f"{k.progress:.0%} of the way"
    return (
        f"{o.title} / {d.name}: {share} to {status.format_value(k.spec.target, d)} "
        f"by {k.spec.due:%d %b} ({k.status}; {k.elapsed:.0%} of the time gone)"
    )


def _slipped(now: Sequence[okrs.ObjectiveProgress], before: Sequence[okrs.ObjectiveProgress]) -> list[str]:
    earlier = {(p.objective.objective_id, k.spec.metric_id): k.status for p in before for k in p.key_results}
    return [
        f"{_kr_line(p.objective, k)}; was {earlier[(p.objective.objective_id, k.spec.metric_id)]}"
        for p in now
        for k in p.key_results
        if progress.slipped(earlier.get((p.objective.objective_id, k.spec.metric_id), ""), k.status)
    ]


def _objectives(now: Sequence[okrs.ObjectiveProgress]) -> list[str]:
    lines = []
    for p in now:
        share = "no data yet" if p.progress is None else f"{p.progress:.0%}"
        lines.append(f"{p.objective.title} ({p.objective.period.label}): {share}, {p.status}")
    return lines


def _definitions(entries: Sequence[catalog.CatalogEntry], people: Mapping[str, str]) -> list[str]:
    lines = []
    for e in sorted(entries, key=lambda e: e.definition.name):
        d = e.definition
        if e.status in WAITING:
            lines.append(f"{d.name}: version {e.latest_version} waits for signatures ({e.status})")
        elif e.status == "due for review":
            lines.append(
                f"{d.name}: due for review since {d.revisit:%d %b %Y} "
                f"(owners {people.get(d.it_owner, d.it_owner)}, {people.get(d.marketing_owner, d.marketing_owner)})"
            )
    return lines


def _notes(
    con: store.Connection, week: BoardPeriod, names: dict[str, str], moment: dt.datetime | None
) -> list[str]:
    people = access.names(con)
    first, last = week.start, week.end - dt.timedelta(days=1)
    written = [
        n
        for n in commentary.in_force(con, first - dt.timedelta(days=370), last, moment).values()
        if first <= n.written_at.date() <= last
    ]
    lines = [
        f"{names.get(n.metric_id, n.metric_id)} ({n.period_start:%d %b %Y}), {people.get(n.author, n.author)}: {n.body}"
        for n in sorted(written, key=lambda n: n.written_at)
    ]
    titles = {o.objective_id: o.title for o in okrs.objectives(con, include_withdrawn=True)}
    until = dt.datetime.combine(week.end, dt.time())
    for c in okrs.check_ins(
        con, first=dt.datetime.combine(first, dt.time()), last=min(until, moment or until)
    ):
        lines.append(
            f"Check-in on {titles.get(c.objective_id, c.objective_id)}, {people.get(c.author, c.author)} "
            f"(confidence {c.confidence}/10): {c.note}"
        )
    return lines


def gather(con: store.Connection, week: BoardPeriod, today: dt.date, as_of: dt.date | None = None) -> Brief:
    """The brief for ``week``, from what the database holds now, or held at the end of ``as_of``
    (values, retractions, notes, check-ins, events, wins and definitions recorded by then)."""
    moment = board.known_at(as_of, today)
    day = as_of if moment is not None and as_of is not None else today
    if week.start > day:
        raise InputRejected(f"{week.label} has not started yet.")
    now_tiles = board.tiles(con, day, moment, week)
    before_tiles = board.tiles(con, day, moment, week.shifted(-1))
    okr_now = okrs.evaluate(con, day, on=week.end, accepted_only=True, as_of=moment)
    okr_before = okrs.evaluate(con, day, on=week.start, accepted_only=True, as_of=moment)
    last = week.end - dt.timedelta(days=1)
    timeline = events.between(con, week.start, last, moment)
    week_wins = wins.in_week(
        wins.feed(con, day, since=week.start - dt.timedelta(days=70), limit=1000, as_of=moment),
        week.start,
        last,
    )
    names = {t.definition.id: t.definition.name for t in now_tiles}
    sections = (
        Section(
            "Metrics that changed status",
            tuple(_rag_changes(now_tiles, before_tiles)),
            "No metric changed status.",
        ),
        Section("Key results that slipped", tuple(_slipped(okr_now, okr_before)), "No key result slipped."),
        Section("Wins", tuple(f"{w.text} — credit: {w.credit}" for w in week_wins), "No new wins this week."),
        Section("Shared objectives", tuple(_objectives(okr_now)), "No accepted objectives yet."),
        Section("Stale data", tuple(_stale(now_tiles)), "Every agreed metric is up to date."),
        Section(
            "Definitions waiting for a signature or due for review",
            tuple(_definitions(catalog.entries(con, day, moment), access.names(con))),
            "Every definition is signed and within its review date.",
        ),
        Section(
            "Incidents, releases and campaigns",
            tuple(f"{e.day:%a %d %b}: {e.label}" for e in timeline),
            "Nothing new on the timeline.",
        ),
        Section(
            "Owners' notes and check-ins",
            tuple(_notes(con, week, names, moment)),
            "No notes or check-ins this week.",
        ),
    )
    return Brief(week, today, sections, None if moment is None else as_of)


# ---------------------------------------------------------------- rendering


def escape(text: str) -> str:
    """Text from the data shown literally in Markdown: no formatting, links or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def markdown(brief: Brief) -> str:
    out = [f"# {escape(brief.title)}", "", f"Made on {brief.made_on:%d %b %Y} from {brief.basis}.", ""]
    for section in brief.sections:
        out += [f"## {escape(section.title)}", ""]
        out += [f"- {escape(line)}" for line in section.lines] or [f"_{escape(section.empty)}_"]
        out.append("")
    return "\n".join(out)


def pdf(brief: Brief) -> bytes:
    from metrics.okrs import brief_pdf  # fpdf2 loads only when a PDF is wanted

    return brief_pdf.render(brief)


# ---------------------------------------------------------------- keeping


def keep(con: store.Connection, person: Person, brief: Brief) -> int:
    """Store the brief as made (Markdown and PDF) and the week's wins; returns its id."""
    access.require(person, "manage_okrs")
    text, document = markdown(brief), pdf(brief)
    wins.record_new(con, person, brief.made_on)
    with store.transaction(con):
        brief_id = store.next_id(con, "brief_ids")
        con.execute(
            "INSERT INTO briefs (brief_id, week, markdown, pdf, made_by, made_at) VALUES (?, ?, ?, ?, ?, ?)",
            [brief_id, brief.week.label, text, document, person.email, clock.now()],
        )
        store.audit(con, person.email, "keep_brief", brief.week.label, json.dumps({"brief_id": brief_id}))
    return brief_id


def kept(con: store.Connection) -> list[KeptBrief]:
    rows = con.execute(
        "SELECT brief_id, week, made_by, made_at FROM briefs ORDER BY brief_id DESC"
    ).fetchall()
    return [KeptBrief(int(r[0]), r[1], r[2], r[3]) for r in rows]


def load(con: store.Connection, brief_id: int) -> tuple[KeptBrief, str, bytes]:
    row = con.execute(
        "SELECT brief_id, week, made_by, made_at, markdown, pdf FROM briefs WHERE brief_id = ?", [brief_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no kept brief {brief_id}.")
    return KeptBrief(int(row[0]), row[1], row[2], row[3]), row[4], bytes(row[5])


def file_name(week: BoardPeriod, extension: str) -> str:
    return f"check-in-brief-{week.label}.{extension}"
