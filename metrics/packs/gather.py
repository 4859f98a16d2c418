"""The board pack: the board for one period as known on one day, as a PDF and an offline HTML file.

``gather`` collects everything a pack shows (the board view, owners' notes, sign-off
status, definitions, glossary); ``pack_pdf`` and ``pack_html`` draw it from the same
words and numbers. Freezing stores the built bytes once per period and format; a
frozen pack is handed back byte for byte and never rebuilt or replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from metrics import access, clock, periods, store
from metrics.access import Person
from metrics.board import commentary, status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.board.view import BoardPeriod, BoardView, Tile
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import CatalogEntry
from metrics.errors import InputRejected, NotFound
from metrics.okrs import objectives as okrs
from metrics.okrs import wins as okr_wins

FORMATS = ("pdf", "html")
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html"}
TREND_POINTS = 52
RAG_HEX = {status.GREEN: "#1b7f3b", status.AMBER: "#b86e00", status.RED: "#c62828", status.NO_DATA: "#6b7280"}


@dataclass(frozen=True)
class TileText:
    """A tile's words and numbers, exactly as both formats print them."""

    metric_id: str
    name: str
    area: str
    value: str
    rag: str
    status_word: str
    change: str
    year_change: str
    target: str
    period: str
    note: str | None
    flags: str


@dataclass(frozen=True)
class SignOff:
    name: str
    version: int
    status: str
    it_signer: str
    marketing_signer: str
    signed: str


@dataclass(frozen=True)
class ObjectiveText:
    """One shared objective as the pack prints it: owners, progress, status, its key results."""

    title: str
    period: str
    owners: str
    progress: str  # "62% of the way" or "no data yet"
    share: float | None  # 0 to 1, for a bar
    status: str  # the OKR status word: on track, at risk, off track...
    key_results: tuple[str, ...]


@dataclass(frozen=True)
class PackData:
    view: BoardView
    today: dt.date
    signoffs: list[SignOff]
    entries: list[CatalogEntry]
    glossary: dict[str, str]
    notes: list[tuple[str, str, commentary.Note]]  # metric name, period label, note
    names: dict[str, str] = field(default_factory=dict)  # email -> name, of everyone ever added
    objectives: list[ObjectiveText] = field(default_factory=list)  # shared OKRs of the period
    wins: list[str] = field(default_factory=list)  # the period's wins, newest first

    @property
    def title(self) -> str:
        return f"Shared Scorecard board pack {self.view.period.label}"

    def who(self, email: str) -> str:
        """A person as the board knows them: their name (an unknown address as it is)."""
        return self.names.get(email, email)


def tile_text(t: Tile, period: BoardPeriod) -> TileText:
    d = t.definition
    flags = [n for n in board.tile_notes(t, period) if "stale" in n or "pending" in n or "review" in n]
    return TileText(
        d.id,
        d.name,
        d.area,
        status.format_value(t.latest, d),
        t.rag,
        status.label(t.word),
        status.format_change(t.delta, d) or "—",
        status.format_change(t.year_delta, d) or "—",
        status.format_value(d.target, d),
        t.period_label,
        t.note.body if t.note else None,
        " · ".join(flags),
    )


def budget_text(view: BoardView) -> tuple[str, str, str]:
    """(value, status word, explanation) of the error budget."""
    budget = view.budget
    if budget is None or budget.left_percent is None:
        return "—", status.label(status.NO_DATA), "no uptime values in this period"
    return f"{round(budget.left_percent)}%", status.label(budget.word), budget.describe()


def trend(t: Tile) -> pd.DataFrame:
    """The values a pack's trend chart draws: the last year or so of the tile's history."""
    return t.history.tail(TREND_POINTS).reset_index(drop=True)


@dataclass(frozen=True)
class Summary:
    """The executive summary's three lists, in the words both formats print."""

    moved: list[str]  # the largest changes since the period before, largest first
    attention: list[str]  # off target, then to watch
    commentary: list[str]  # the owners' notes on the period


SUMMARY_MOVED = 5


def _relative_change(t: Tile) -> float:
    if t.delta is None or not t.previous:
        return 0.0
    return abs(t.delta / t.previous)


def summary(data: PackData) -> Summary:
    """What a board member reads first: what moved most, what needs attention, what the owners say."""
    movers = sorted(
        (t for t in data.view.tiles if _relative_change(t) > 0), key=_relative_change, reverse=True
    )
    moved = []
    for t in movers[:SUMMARY_MOVED]:
        d = t.definition
        news = "better" if status.improved(t.delta, d) else "worse"
        moved.append(
            f"{d.name}: {status.format_value(t.latest, d)}, "
            f"{status.format_change(t.delta, d)} on the period before ({news})"
        )
    attention = [
        f"{t.definition.name}: {status.format_value(t.latest, t.definition)}, {word} "
        f"(target {status.format_value(t.definition.target, t.definition)})"
        for word in (status.OFF_TARGET, status.TO_WATCH)
        for t in data.view.tiles
        if t.word == word
    ]
    commentary = [
        f"{name} ({label}), {data.who(note.author)}: {note.body}" for name, label, note in data.notes
    ]
    return Summary(moved, attention, commentary)


# ---------------------------------------------------------------- gathering


def _signoffs(con: store.Connection, entries: list[CatalogEntry]) -> list[SignOff]:
    signed = catalog.counting_signatures(con)
    result = []
    for e in sorted(entries, key=lambda e: (catalog.AREAS.index(e.definition.area), e.definition.name)):
        it = signed.get((e.definition.id, e.version, "it"))
        mk = signed.get((e.definition.id, e.version, "marketing"))
        last = max((s[1].date() for s in (it, mk) if s), default=None)
        result.append(
            SignOff(
                e.definition.name,
                e.version,
                e.status,
                it[0] if it else "not signed",
                mk[0] if mk else "not signed",
                f"{last:%d %b %Y}" if last else "—",
            )
        )
    return result


def gather(
    con: store.Connection, today: dt.date, period: BoardPeriod, as_of: dt.date | None = None
) -> PackData:
    view = board.view(con, today, period, as_of)
    entries = [t.entry for t in view.tiles]
    notes = [
        (t.definition.name, periods.label(t.note.period_start, t.definition.cadence), t.note)
        for t in view.tiles
        if t.note is not None
    ]
    names = access.names(con)
    moment = board.known_at(as_of, today)
    return PackData(
        view,
        today,
        _signoffs(con, entries),
        entries,
        catalog.glossary(con),
        notes,
        names,
        _objectives(con, view, moment, names),
        _wins(con, view, moment),
    )


def _share(value: float | None) -> str:
    return "no data yet" if value is None else f"{value:.0%} of the way"


def _objectives(
    con: store.Connection, view: BoardView, moment: dt.datetime | None, names: dict[str, str]
) -> list[ObjectiveText]:
    """The accepted shared objectives running in the pack's period, read at its end."""
    last = view.period.end - dt.timedelta(days=1)
    found = []
    for p in okrs.evaluate(con, view.as_of, on=min(last, view.as_of), accepted_only=True, as_of=moment):
        o = p.objective
        if o.period.start > last or o.period.end <= view.period.start:
            continue
        key_results = tuple(
            f"{k.definition.name}: {_share(k.progress)} from {status.format_value(k.spec.baseline, k.definition)} "
            f"to {status.format_value(k.spec.target, k.definition)} by {k.spec.due:%d %b %Y} ({k.status})"
            for k in p.key_results
        )
        found.append(
            ObjectiveText(
                o.title,
                o.period.label,
                f"IT {names.get(o.it_owner, o.it_owner)}, marketing {names.get(o.marketing_owner, o.marketing_owner)}",
                _share(p.progress),
                p.progress,
                p.status,
                key_results,
            )
        )
    return found


def _wins(con: store.Connection, view: BoardView, moment: dt.datetime | None) -> list[str]:
    """The wins whose period ended within the pack's period, each credited to both teams."""
    first, last = view.period.start, view.period.end - dt.timedelta(days=1)
    feed = okr_wins.feed(con, view.as_of, since=first - dt.timedelta(days=100), limit=1000, as_of=moment)
    return [
        f"{w.text} ({w.last_day:%d %b %Y}) — credit: {w.credit}" for w in okr_wins.in_week(feed, first, last)
    ]


def build(data: PackData, fmt: str) -> bytes:
    if fmt == "pdf":
        from metrics.packs import pdf as pack_pdf  # fpdf2 is only loaded when a PDF is asked for

        return pack_pdf.render(data)
    if fmt == "html":
        from metrics.packs import html as pack_html

        return pack_html.render(data)
    raise InputRejected(f"A pack is a {' or '.join(FORMATS)} file, not {fmt!r}.")


def file_name(period: BoardPeriod, fmt: str) -> str:
    return f"board-pack-{period.label.replace(' ', '-')}.{fmt}"


# ---------------------------------------------------------------- freezing


@dataclass(frozen=True)
class FrozenPack:
    pack_id: int
    period: str
    format: str
    as_of: dt.date
    file_name: str
    sha256: str
    frozen_by: str
    frozen_at: dt.datetime
    size: int


def freeze(
    con: store.Connection, person: Person, period: BoardPeriod, today: dt.date, as_of: dt.date | None = None
) -> list[FrozenPack]:
    """Build the PDF and HTML pack for a closed period and store both, unchanged, for good."""
    access.require(person, "freeze_pack")
    if period.end > today:
        raise InputRejected(
            f"{period.label} has not closed yet; a pack can be frozen from {period.end:%d %b %Y}."
        )
    existing = {p.format for p in frozen(con) if p.period == period.label}
    if existing:
        raise InputRejected(f"The pack for {period.label} is already frozen; frozen packs never change.")
    data = gather(con, today, period, as_of)
    built = {fmt: build(data, fmt) for fmt in FORMATS}
    with store.transaction(con):
        for fmt, content in built.items():
            con.execute(
                "INSERT INTO board_packs (pack_id, period, format, as_of, file_name, sha256, content, frozen_by, "
                "frozen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    store.next_id(con, "pack_ids"),
                    period.label,
                    fmt,
                    data.view.as_of,
                    file_name(period, fmt),
                    hashlib.sha256(content).hexdigest(),
                    content,
                    person.email,
                    clock.now(),
                ],
            )
        store.audit(
            con, person.email, "freeze_pack", period.label, json.dumps({"as_of": data.view.as_of.isoformat()})
        )
    return [p for p in frozen(con) if p.period == period.label]


def frozen(con: store.Connection) -> list[FrozenPack]:
    """Every frozen pack, newest period first."""
    rows = con.execute(
        "SELECT pack_id, period, format, as_of, file_name, sha256, frozen_by, frozen_at, octet_length(content) "
        "FROM board_packs ORDER BY frozen_at DESC, format DESC"
    ).fetchall()
    return [FrozenPack(*r) for r in rows]


def frozen_content(con: store.Connection, pack_id: int) -> tuple[FrozenPack, bytes]:
    """A frozen pack's bytes, checked against the fingerprint taken when it was frozen."""
    found = next((p for p in frozen(con) if p.pack_id == pack_id), None)
    row = con.execute("SELECT content FROM board_packs WHERE pack_id = ?", [pack_id]).fetchone()
    if found is None or row is None:
        raise NotFound(f"There is no frozen pack {pack_id}.")
    content = bytes(row[0])
    if hashlib.sha256(content).hexdigest() != found.sha256:
        raise InputRejected(f"Frozen pack {pack_id} does not match its fingerprint; please tell an admin.")
    return found, content


@dataclass(frozen=True)
class ChartGeometry:
    """A trend scaled into a box (0,0 top left): the line, the target and the events' x."""

    points: list[tuple[float, float]]
    target_y: float | None
    events: list[tuple[float, str, str]]  # x, kind, label
    low: float
    high: float
    first: dt.date | None = None  # the first and last periods drawn: the dated axis
    last: dt.date | None = None


def chart_geometry(t: Tile, timeline: Sequence[events.Event], width: float, height: float) -> ChartGeometry:
    values = trend(t)
    if values.empty:
        return ChartGeometry([], None, [], 0.0, 0.0)
    d = t.definition
    ys = [float(v) for v in values["value"]]
    low, high = min([*ys, d.target]), max([*ys, d.target])
    span = (high - low) or 1.0
    first: dt.date = values["period_start"].iloc[0]
    last: dt.date = values["period_start"].iloc[-1]
    days = max((last - first).days, 1)

    def x_of(day: dt.date) -> float:
        return width * (day - first).days / days

    def y_of(value: float) -> float:
        return height - height * (value - low) / span

    points = [(x_of(day), y_of(v)) for day, v in zip(values["period_start"], ys, strict=True)]
    marks = [(x_of(e.day), e.kind, e.label) for e in timeline if e.concerns(d.id) and first <= e.day <= last]
    return ChartGeometry(points, y_of(d.target), marks, low, high, first, last)
