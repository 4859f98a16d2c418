"""The shared timeline and the owners' notes."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import access, store
from metrics.board import commentary
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.errors import InputRejected, NotFound, PermissionDenied
from metrics.seed import demo
from tests.conftest import TODAY


def _person(con: store.Connection, email: str) -> access.Person:
    return access.require_person(con, email)


def test_the_demo_timeline_sits_on_the_outage_and_campaign(con: store.Connection) -> None:
    when = demo.moments(TODAY)
    timeline = events.between(con, dt.date(2024, 1, 1), TODAY)
    incident = next(e for e in timeline if e.kind == "incident")
    campaign = next(e for e in timeline if e.kind == "campaign")
    assert when.outage_week <= incident.day < when.outage_week + dt.timedelta(days=7)
    assert incident.concerns("site_uptime") and incident.concerns("conversion_rate")
    calm = [m for m, p in demo.load_profiles().items() if not (p.get("outage") or p.get("outage_points"))]
    assert calm and not any(incident.concerns(m) for m in calm)
    assert campaign.day == when.campaign_weeks[0] and campaign.concerns("sessions")
    assert sum(e.kind == "release" for e in timeline) >= 3


def test_an_events_file_is_stored_all_at_once(con: store.Connection) -> None:
    priya = _person(con, "priya.cio@example.com")
    body = (
        b"date,kind,title,metric_ids\n"
        b"2026-11-10,release,New search,\n"
        b"2026-11-12,incident,CDN slowdown,checkout_p95_latency;site_uptime\n"
    )
    assert events.upload(con, priya, body, "events.csv") == 2
    found = events.between(con, dt.date(2026, 11, 10), dt.date(2026, 11, 12))
    assert [e.title for e in found] == ["New search", "CDN slowdown"]
    assert found[0].concerns("nps")  # no metric ids: on every chart
    assert found[1].metric_ids == ("checkout_p95_latency", "site_uptime")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("date,kind,title\n2026-13-01,release,x\n", "line 2, column date: '2026-13-01' - not a date"),
        ("date,kind,title\n2026-11-01,party,x\n", "line 2, column kind: 'party' - kind must be one of"),
        ("date,kind,title\n2026-11-01,release,\n", "line 2, column title: '' - a title is required"),
        (
            "date,kind,title,metric_ids\n2026-11-01,release,x,\n2026-11-02,release,y,sessions;nope\n",
            "line 3, column metric_ids: 'sessions;nope' - unknown metric id(s): nope",
        ),
        ("date,title\n2026-11-01,x\n", "line 1, column kind: '' - required column is missing"),
        ("date,kind,title\n2026-11-01,release\n", "line 2, column (row)"),
        (
            "date,kind,title,colour\n2026-11-01,release,x,red\n",
            "line 1, column colour: 'colour' - unknown column",
        ),
        ("", "empty"),
    ],
)
def test_a_bad_events_file_is_refused_with_located_errors(
    con: store.Connection, body: str, expected: str
) -> None:
    priya = _person(con, "priya.cio@example.com")
    before = len(events.between(con, dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
    with pytest.raises(InputRejected) as caught:
        events.upload(con, priya, body.encode(), "bad.csv")
    assert expected in caught.value.message
    assert len(events.between(con, dt.date(2000, 1, 1), dt.date(2100, 1, 1))) == before


def test_only_executives_put_events_on_the_timeline(con: store.Connection) -> None:
    event = events.NewEvent(dt.date(2026, 11, 2), "campaign", "Winter sale", ("sessions",))
    for email in ("bea.board@example.com", "uma.upload@example.com", "dana.it@example.com"):
        with pytest.raises(PermissionDenied):
            events.add(con, _person(con, email), event)
    marco = _person(con, "marco.cmo@example.com")
    events.add(con, marco, event)
    added = [e for e in events.between(con, event.day, event.day) if e.title == "Winter sale"]
    assert len(added) == 1
    events.remove(con, marco, added[0].event_id)
    assert not [e for e in events.between(con, event.day, event.day) if e.title == "Winter sale"]
    audit = con.execute(
        "SELECT action FROM audit_log WHERE actor = ? ORDER BY logged_at", [marco.email]
    ).fetchall()
    assert [a[0] for a in audit] == ["add_event", "remove_event"]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (events.NewEvent(dt.date(2026, 11, 2), "release", ""), "What happened: a title is required."),
        (events.NewEvent(dt.date(2026, 11, 2), "party", "x"), "Kind: kind must be one of"),
        (
            events.NewEvent(dt.date(2026, 11, 2), "release", "x", ("sessions", "nope")),
            "Charts it concerns: unknown metric id(s): nope",
        ),
    ],
)
def test_a_typed_event_is_refused_by_field_not_by_file_line(
    con: store.Connection, event: events.NewEvent, expected: str
) -> None:
    priya = _person(con, "priya.cio@example.com")
    with pytest.raises(InputRejected) as caught:
        events.add(con, priya, event)
    assert caught.value.title == "Event not added"
    assert expected in caught.value.message
    assert "line" not in caught.value.message and "file" not in caught.value.message.lower()
    assert not events.between(con, event.day, event.day) or all(
        e.title != event.title for e in events.between(con, event.day, event.day)
    )


def test_a_new_event_says_where_it_will_appear() -> None:
    # The board shows 2026-W47 (16-22 Nov, so up to 23 Nov exclusive); 2 Dec 2026 is in 2026-W49.
    later = events.where_it_shows(dt.date(2026, 12, 2), dt.date(2026, 11, 23), "2026-W47")
    assert "once 2026-W49 is on the board (the board shows 2026-W47 now)" in later
    assert "02 Dec 2026" in later
    monday = events.where_it_shows(dt.date(2026, 11, 23), dt.date(2026, 11, 23), "2026-W47")
    assert "once 2026-W48 is on the board" in monday
    sunday = events.where_it_shows(dt.date(2026, 11, 22), dt.date(2026, 11, 23), "2026-W47")
    assert sunday.startswith("It shows on the charts it concerns at 2026-W47")


def test_an_owner_note_shows_on_the_tile(con: store.Connection) -> None:
    sam = _person(con, "sam.marketing@example.com")  # marketing owner of Website sessions
    commentary.write(con, sam, "sessions", dt.date(2026, 11, 16), "Black Friday teasers  went live early")
    tile = board.view(con, TODAY).tile("sessions")
    assert tile is not None and tile.note is not None
    assert tile.note.body == "Black Friday teasers went live early"
    quarter = board.view(con, TODAY, board.parse_period("2026-Q4"))
    assert quarter.tile("sessions").note is not None  # type: ignore[union-attr]


def test_a_newer_note_replaces_the_shown_one_and_the_older_stays(con: store.Connection) -> None:
    sam = _person(con, "sam.marketing@example.com")
    commentary.write(con, sam, "sessions", dt.date(2026, 11, 16), "first")
    commentary.write(con, sam, "sessions", dt.date(2026, 11, 16), "second")
    tile = board.view(con, TODAY).tile("sessions")
    assert tile is not None and tile.note is not None and tile.note.body == "second"
    row = con.execute("SELECT count(*) FROM metric_notes").fetchone()
    assert row is not None and row[0] == 2


@pytest.mark.parametrize(
    ("email", "metric", "day", "body", "error"),
    [
        ("marco.cmo@example.com", "sessions", dt.date(2026, 11, 16), "x", PermissionDenied),  # not its owner
        ("bea.board@example.com", "sessions", dt.date(2026, 11, 16), "x", PermissionDenied),
        ("sam.marketing@example.com", "sessions", dt.date(2026, 11, 17), "x", InputRejected),  # not a Monday
        ("sam.marketing@example.com", "sessions", dt.date(2026, 11, 16), "   ", InputRejected),
        ("sam.marketing@example.com", "sessions", dt.date(2026, 11, 16), "x" * 281, InputRejected),
        ("alex.admin@example.com", "no_such_metric", dt.date(2026, 11, 16), "x", NotFound),
    ],
)
def test_notes_are_refused_plainly(
    con: store.Connection, email: str, metric: str, day: dt.date, body: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        commentary.write(con, _person(con, email), metric, day, body)
