"""As known on a day, really: the board, the drill-down and the pack "as of" a day D show what was
known at the end of D: values, retractions, owner notes, timeline events and the definitions in force."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from metrics import access, store
from metrics.board import commentary, drilldown, status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.packs import gather as pack
from metrics.uploads import ingest
from tests.clocks import move_clock
from tests.conftest import TODAY
from tests.values import add_values

W46 = board.BoardPeriod("weekly", dt.date(2026, 11, 9))  # its demo values were recorded on 17 Nov
D = TODAY  # 23 Nov 2026: the day the board is read "as of"
LATER = dt.datetime(2026, 11, 25, 10, 0)  # two days after D: everything done then must not show
IT, MARKETING, ADMIN = "dana.it@example.com", "sam.marketing@example.com", "alex.admin@example.com"


def _as_of_d(con: store.Connection) -> board.BoardView:
    return board.view(con, LATER.date(), W46, as_of=D)


def _sign_both(con: store.Connection, d: catalog.MetricDefinition, version: int) -> None:
    for side, signer in (("it", IT), ("marketing", MARKETING)):
        catalog.record_signature(con, d.id, version, side=side, signer=signer, content_hash=d.content_hash())


def _seed(metric_id: str) -> catalog.MetricDefinition:
    return next(d for d in catalog.load_seed().metrics if d.id == metric_id)


def test_a_retraction_after_the_day_does_not_rewrite_it(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_clock(monkeypatch, dt.datetime(2026, 11, 23, 9, 0))
    restated = add_values(con, [("sessions", W46.start, 111_111.0)])
    move_clock(monkeypatch, LATER)
    ingest.retract(con, restated, access.require_person(con, ADMIN))
    then = _as_of_d(con).tile("sessions")
    now = board.view(con, LATER.date(), W46).tile("sessions")
    assert then is not None and then.latest == 111_111.0  # on D the restatement stood
    assert now is not None and now.latest != 111_111.0  # today it is retracted


def test_notes_and_events_written_after_the_day_do_not_show(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_clock(monkeypatch, LATER)
    commentary.write(con, access.require_person(con, IT), "site_uptime", W46.start, "written later")
    event = events.NewEvent(W46.start + dt.timedelta(days=2), "incident", "Added later")
    events.add(con, access.require_person(con, ADMIN), event)
    then, now = _as_of_d(con), board.view(con, LATER.date(), W46)
    assert "Added later" in [e.title for e in now.timeline]
    assert "Added later" not in [e.title for e in then.timeline]
    now_note, then_note = now.tile("site_uptime"), then.tile("site_uptime")
    assert now_note is not None and now_note.note is not None and now_note.note.body == "written later"
    assert then_note is not None and (then_note.note is None or then_note.note.body != "written later")


def test_an_event_removed_after_the_day_still_shows_as_of_it(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = access.require_person(con, ADMIN)
    move_clock(monkeypatch, dt.datetime(2026, 11, 20, 9, 0))
    events.add(con, admin, events.NewEvent(W46.start + dt.timedelta(days=1), "release", "Shipped on time"))
    added = next(e for e in events.between(con, W46.start, W46.end) if e.title == "Shipped on time")
    move_clock(monkeypatch, LATER)
    events.remove(con, admin, added.event_id)
    assert "Shipped on time" in [e.title for e in _as_of_d(con).timeline]
    assert "Shipped on time" not in [e.title for e in board.view(con, LATER.date(), W46).timeline]


def test_the_definition_in_force_on_the_day_sets_target_and_name(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_clock(monkeypatch, LATER)
    changed = dataclasses.replace(_seed("sessions"), name="Web and app sessions", target=300_000.0)
    _sign_both(con, changed, catalog.add_version(con, changed, proposed_by=ADMIN))
    then, now = _as_of_d(con).tile("sessions"), board.view(con, LATER.date(), W46).tile("sessions")
    assert now is not None and (now.definition.name, now.definition.target) == (
        "Web and app sessions",
        300_000,
    )
    assert then is not None and (then.definition.name, then.definition.target) == (
        "Website sessions",
        250_000,
    )
    assert then.rag == status.rag(then.latest, _seed("sessions"))


def test_a_metric_retired_after_the_day_still_shows_as_of_it(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_clock(monkeypatch, LATER)
    nps = _seed("nps")
    _sign_both(con, nps, catalog.add_version(con, nps, proposed_by=ADMIN, kind="retire"))
    assert board.view(con, LATER.date(), W46).tile("nps") is None
    assert _as_of_d(con).tile("nps") is not None


def test_drill_down_targets_follow_the_one_rule_for_agreed(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_clock(monkeypatch, LATER)
    changed = dataclasses.replace(_seed("sessions"), target=300_000.0)
    version = catalog.add_version(con, changed, proposed_by=ADMIN)
    # one person signing for both sides is not an agreement, nor is a decline
    catalog.record_signature(
        con, "sessions", version, side="it", signer=IT, content_hash=changed.content_hash()
    )
    catalog.record_signature(
        con, "sessions", version, side="marketing", signer=IT, content_hash=changed.content_hash()
    )
    catalog.record_signature(
        con,
        "sessions",
        version,
        side="marketing",
        signer=MARKETING,
        content_hash=changed.content_hash(),
        decision="declined",
    )
    assert list(drilldown.targets(con, "sessions")["target"]) == [250_000.0]
    # a target edited in the table after both signed is not agreed either
    catalog.record_signature(
        con, "sessions", version, side="marketing", signer=MARKETING, content_hash=changed.content_hash()
    )
    assert list(drilldown.targets(con, "sessions")["target"]) == [250_000.0, 300_000.0]
    con.execute(
        "UPDATE metric_versions SET target = 1 WHERE metric_id = 'sessions' AND version = ?", [version]
    )
    assert list(drilldown.targets(con, "sessions")["target"]) == [250_000.0]


def test_a_rebuilt_pack_has_the_frozen_packs_numbers(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = access.require_person(con, ADMIN)
    move_clock(monkeypatch, dt.datetime(2026, 11, 23, 9, 0))
    restated = add_values(con, [("sessions", W46.start, 222_222.0)])
    frozen = pack.gather(con, D, W46, D)
    pack.freeze(con, admin, W46, D, D)
    move_clock(monkeypatch, LATER)
    add_values(con, [("cost_per_lead", dt.date(2026, 10, 1), 1.0), ("site_uptime", W46.start, 90.0)])
    ingest.retract(con, restated, admin)
    changed = dataclasses.replace(_seed("nps"), target=80.0, amber=70.0, red=60.0)
    _sign_both(con, changed, catalog.add_version(con, changed, proposed_by=ADMIN))
    commentary.write(con, access.require_person(con, IT), "site_uptime", W46.start, "written later")
    rebuilt = pack.gather(con, LATER.date(), W46, D)
    assert [pack.tile_text(t, W46) for t in rebuilt.view.tiles] == [
        pack.tile_text(t, W46) for t in frozen.view.tiles
    ]
    assert pack.budget_text(rebuilt.view) == pack.budget_text(frozen.view)
    assert rebuilt.signoffs == frozen.signoffs
    assert [n[2].body for n in rebuilt.notes] == [n[2].body for n in frozen.notes]
    sessions = next(t for t in rebuilt.view.tiles if t.definition.id == "sessions")
    assert sessions.latest == 222_222.0


def test_a_monday_board_shows_the_newest_week_whose_values_arrived(con: store.Connection) -> None:
    """On Monday 23 Nov last week (W47) has ended, but before its values arrive the board opens
    on W46, the newest week with values: not an empty week with "no data" everywhere."""
    W47 = W46.shifted(1)
    assert board.latest_period(TODAY) == W47
    assert board.view(con, TODAY).period == W47  # the demo's W47 values are in
    con.execute("DELETE FROM observations WHERE period_start >= ?", [W47.start])
    assert board.view(con, TODAY).period == W46
    assert board.newest_reported_period(con, TODAY, "weekly") == W46


def test_one_board_reads_one_period_and_says_what_is_missing(con: store.Connection) -> None:
    W47 = W46.shifted(1)
    con.execute(
        "DELETE FROM observations WHERE metric_id IN ('sessions', 'nps') AND period_start >= ?", [W47.start]
    )
    view = board.view(con, TODAY, W47)
    sessions = view.tile("sessions")
    assert sessions is not None and sessions.latest is None  # no stand-in from W46
    assert sessions.period_label == "not reported yet" and not sessions.reported
    assert [t.definition.id for t in view.missing] == ["sessions"]  # nps: Q3 is the quarter due
    assert view.reported_line == "23 of 24 reported · waiting for Website sessions"
    funnel = board.funnel(view)
    assert funnel[0].volume is None  # the funnel has no W46 sessions beside W47 leads


def test_the_brief_as_of_a_day_leaves_out_what_came_later(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrics.okrs import brief

    move_clock(monkeypatch, dt.datetime(2026, 11, 12, 10, 0))  # during W46
    commentary.write(con, access.require_person(con, IT), "site_uptime", W46.start, "written in the week")
    move_clock(monkeypatch, LATER)
    commentary.write(con, access.require_person(con, IT), "sessions", W46.start, "written later")
    events.add(con, access.require_person(con, ADMIN), events.NewEvent(W46.start, "incident", "Added later"))
    then = brief.markdown(brief.gather(con, W46, LATER.date(), as_of=D))
    now = brief.markdown(brief.gather(con, W46, LATER.date()))
    assert "written in the week" in then and "written in the week" in now
    for later in ("Added later",):
        assert later in now and later not in then
    assert "from the values as known on 23 Nov 2026" in then
    assert "from the values in force" in now
