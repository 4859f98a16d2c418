"""AppTest: the board, the drill-downs and the packs page, for each role."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import store
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.packs import gather as pack
from tests.apptest import ONE_PER_ROLE, ROOT, app_as, cards
from tests.known import W47_HEADLINE, W47_SHOWN

BOARD_PAGES = ("pages/board.py", "pages/journey.py", "pages/reliability.py", "pages/packs.py")


def _captions(at) -> str:  # type: ignore[no-untyped-def]
    """The page's captions and every tile's small print."""
    return "\n".join([c.value for c in at.caption] + [f"{c.caption} {c.note}" for c in cards(at)])


@pytest.mark.parametrize("role", ["board", "executive", "uploader"])
@pytest.mark.parametrize("page", BOARD_PAGES)
def test_every_board_page_renders_for_every_role(page: str, role: str, demo_db: Path) -> None:
    at = app_as(ONE_PER_ROLE[role], page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title


def test_the_board_reads_the_known_demo_numbers(demo_db: Path) -> None:
    at = app_as("bea.board@example.com", "pages/board.py")
    values = {c.name: c.value for c in cards(at)}
    assert {name: values[name] for name in W47_SHOWN} == W47_SHOWN
    assert values["Error budget left"] == "21%"
    text = _captions(at)
    assert W47_HEADLINE in text and "2026-W47" in text
    journey = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "253,153 website sessions → 1.1% of sessions sign up" in journey
    assert not at.get("form")  # the board reads; it never writes


def _fresh_with_params(email: str, **params: str) -> AppTest:
    """A new session opened on a URL with these query parameters."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["acting_as"] = email
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_a_quarter_from_the_url(demo_db: Path) -> None:
    at = _fresh_with_params("priya.cio@example.com", period="2026-Q3")
    assert not at.exception
    assert "2026-Q3 (01 Jul – 30 Sep 2026)" in _captions(at)
    assert any("average of 13 weeks" in c.small for c in cards(at))


def test_the_address_follows_the_screen_and_a_bad_period_says_so(demo_db: Path) -> None:
    at = _fresh_with_params("priya.cio@example.com", period="2026-W99")
    assert not at.exception
    assert any("'2026-W99'" in w.value and "not a complete period" in w.value for w in at.warning)
    assert "2026-W47 (16 Nov – 22 Nov 2026)" in _captions(at)  # said, then the newest week shown
    assert at.query_params["period"] == "2026-W47"
    later = _fresh_with_params("priya.cio@example.com", period="2026-10", as_of="2026-11-20")
    assert not later.exception and not [w for w in later.warning if "address" in w.value]
    assert "Oct 2026 (01 Oct" in _captions(later) and "numbers as known on 20 Nov 2026" in _captions(later)
    assert later.query_params["as_of"] == "2026-11-20"


def test_presentation_mode_shows_the_headline_only(demo_db: Path) -> None:
    at = _fresh_with_params("bea.board@example.com", present="1")
    assert not at.exception
    assert len(cards(at)) == 11  # 4 journey + uptime, budget, 3 security, 2 delivery
    assert not at.header  # no "every measure" sections below the headline
    assert not at.sidebar.children  # nothing beside the board, not even the local "Act as" picker
    assert not at.get("popover")  # no period button on a wall
    assert re.search(r"updated \d\d:\d\d · data to 2026-W47", _captions(at))


def test_a_wall_rotating_says_what_comes_next_and_the_drill_downs_present_too(demo_db: Path) -> None:
    board_page = _fresh_with_params("bea.board@example.com", present="1", rotate="30")
    assert not board_page.exception
    assert re.search(r"data to 2026-W47 · next: Customer journey in 30 s", _captions(board_page))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["acting_as"] = "bea.board@example.com"
    at.query_params["present"] = "1"
    at.query_params["rotate"] = "30"
    at.run()
    at.switch_page("pages/reliability.py").run()
    assert not at.exception
    assert "next: Board in 30 s" in _captions(at)  # the rotation wraps round to the board
    assert not at.get("popover") and not at.get("segmented_control")  # no controls on a wall
    assert not [f for f in at.get("form")], "no note form on a wall"


def test_a_bad_rotation_is_said_and_not_obeyed(demo_db: Path) -> None:
    at = _fresh_with_params("bea.board@example.com", present="1", rotate="fast")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "rotate='fast' is not a number of seconds from 10 to 3600: this screen stays put."
    ]
    assert "next:" not in _captions(at)


def test_copy_link_holds_the_views_address(demo_db: Path) -> None:
    at = _fresh_with_params("priya.cio@example.com", period="2026-10", as_of="2026-11-20")
    assert "Copy link" in _popovers(at)
    assert [c.value.split("?")[1] for c in at.code] == [
        "period=2026-10&as_of=2026-11-20&as=priya.cio%40example.com"
    ]
    drill = _fresh_with_params("priya.cio@example.com", metric="site_uptime")
    drill.switch_page("pages/reliability.py").run()
    assert [c.value.split("?")[1] for c in drill.code] == [
        "period=2026-W47&as=priya.cio%40example.com&metric=site_uptime"
    ]


def _popovers(at: AppTest) -> list[str]:
    return [p.proto.popover.label for p in at.get("popover")]


def test_an_executive_adds_an_event_from_the_board(demo_db: Path) -> None:
    at = app_as("marco.cmo@example.com")
    form = at.get("form")
    assert form, "executives see the event form"
    assert "Add an event" in _popovers(at), "one visible action, beside the period"
    at.text_input(key="event-title").input("Winter sale starts")
    next(b for b in at.button if b.label == "Add to the timeline").click()
    at.run()
    assert not at.exception
    # Dated today (23 Nov 2026, in 2026-W48) while the board shows 2026-W47: it says where it will be.
    assert any("Added" in s.value and "once 2026-W48 is on the board" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    with store.connect(demo_db) as con:
        titles = [e.title for e in events.between(con, dt.date(2026, 1, 1), dt.date(2027, 12, 31))]
    assert "Winter sale starts" in titles


def test_a_typed_event_without_a_title_names_the_field(demo_db: Path) -> None:
    at = app_as("marco.cmo@example.com")
    next(b for b in at.button if b.label == "Add to the timeline").click()
    at.run()
    assert not at.exception
    assert any(
        "Event not added" in e.value and "What happened: a title is required" in e.value for e in at.error
    )
    assert not [e for e in at.error if "line 2" in e.value]


def test_the_board_member_sees_no_way_to_add_an_event(demo_db: Path) -> None:
    at = app_as("bea.board@example.com")
    assert "Add an event" not in _popovers(at)
    assert not [b for b in at.button if b.label == "Add to the timeline"]


def test_an_owner_writes_a_note_on_the_journey_page(demo_db: Path) -> None:
    at = app_as("sam.marketing@example.com", "pages/journey.py")
    assert at.text_area, "Sam owns journey metrics and sees the note form"
    at.text_area(key="owner-note").input("Black Friday teasers went live early")
    next(b for b in at.button if b.label == "Save the note").click()
    at.run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    assert "Black Friday teasers went live early" in _captions(at).replace("\\", "")


def test_the_board_member_cannot_freeze_but_an_executive_can(demo_db: Path) -> None:
    bea = app_as("bea.board@example.com", "pages/packs.py")
    assert not [b for b in bea.button if b.label.startswith("Freeze")]
    priya = app_as("priya.cio@example.com", "pages/packs.py")
    next(b for b in priya.button if b.label.startswith("Freeze the 2026-W47")).click()
    priya.run()
    assert not priya.exception
    assert any("frozen" in s.value for s in priya.success)
    with store.connect(demo_db) as con:
        assert {p.format for p in pack.frozen(con)} == {"pdf", "html"}


@pytest.mark.parametrize("page", BOARD_PAGES)
def test_agreed_metrics_without_values_are_said_plainly_on_every_board_page(page: str, demo_db: Path) -> None:
    with store.connect(demo_db) as con:  # every value taken back: the metrics stay agreed
        con.execute("UPDATE uploads SET retracted_at = now(), retracted_by = 'alex.admin@example.com'")
    at = app_as("priya.cio@example.com", page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    if page != "pages/packs.py":
        assert cards(at) and all(c.value == "—" for c in cards(at))
        assert any("no data yet" in c.small for c in cards(at))


def test_choosing_a_month_relabels_the_period_button(demo_db: Path) -> None:
    at = app_as("bea.board@example.com")
    at.button_group(key="board-cadence").set_value("monthly").run()
    assert not at.exception
    assert "Oct 2026 (01 Oct – 31 Oct 2026)" in _captions(at)
    assert at.get("popover")[0].proto.popover.label == "Period: Oct 2026"
    at.date_input(key="board-as-of").set_value(dt.date(2026, 11, 1)).run()
    assert not at.exception
    assert at.get("popover")[0].proto.popover.label == "Period: Oct 2026, as of 01 Nov 2026"
    assert "numbers as known on 01 Nov 2026" in _captions(at)


def test_an_earlier_as_of_day_moves_the_board_to_what_was_known_then(demo_db: Path) -> None:
    at = app_as("bea.board@example.com")
    at.date_input(key="board-as-of").set_value(dt.date(2026, 9, 30)).run()
    assert not at.exception
    week = board.latest_period(dt.date(2026, 9, 30))  # the week of 21 Sep, reported on Tuesday 29 Sep
    assert at.get("popover")[0].proto.popover.label == f"Period: {week.label}, as of 30 Sep 2026"
    shown = [c.value for c in cards(at)]
    assert shown and sum(v != "—" for v in shown) >= len(shown) - 2, shown


def test_local_demo_mode_keeps_the_acting_person_across_a_reload_and_a_shared_link(demo_db: Path) -> None:
    at = app_as("bea.board@example.com")
    assert at.query_params["as"] == "bea.board@example.com"  # the address says who is acting
    reloaded = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    reloaded.query_params["as"] = "bea.board@example.com"  # a new session on that address: F5, a link
    reloaded.run()
    assert not reloaded.exception
    assert any("Bea Hartmann" in c.value for c in reloaded.sidebar.caption)
    assert not reloaded.get("form")  # the board member still may not write


def test_every_drilldown_chart_has_a_text_alternative(demo_db: Path) -> None:
    at = app_as("bea.board@example.com", "pages/journey.py")
    assert not at.exception
    charts = at.get("plotly_chart")
    described = [
        c.value for c in at.caption if re.match(r"^.+, last \d+ (weeks|months|quarters), .+ to .+, ", c.value)
    ]
    histories = len(charts) - 1  # the funnel is described by the caption above it
    assert histories >= 6 and len(described) == histories, (len(charts), described)
    assert any(d.startswith("Website sessions, last 52 weeks, ") for d in described)
