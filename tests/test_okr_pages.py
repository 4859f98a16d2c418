"""AppTest for the OKR and brief pages, per role: the board reads, owners accept and check in."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import store
from tests.apptest import app_as, registered_pages

EDIT_BUTTONS = {"Create objective", "Save check-in", "Accept this objective", "Keep this brief"}
DEMO_TITLES = {
    "Grow repeat customers without risking uptime",
    "Turn more visits into orders",
    "Launch faster and lift the basket",
}


def _labels(at) -> set[str]:  # type: ignore[no-untyped-def]
    return {b.label for b in at.button}


@pytest.mark.parametrize("email", ["bea.board@example.com", "uma.upload@example.com"])
def test_readers_see_progress_and_cannot_edit(demo_db: Path, email: str) -> None:
    at = app_as(email, "pages/okrs.py")
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Shared OKRs"]
    assert {s.value for s in at.subheader} >= DEMO_TITLES
    bars = [p.proto.text for p in at.get("progress")]
    assert any(b.startswith("Objective progress ") for b in bars)
    assert any("of the way · now " in b for b in bars)
    assert not _labels(at) & EDIT_BUTTONS
    assert not at.number_input and not at.text_input  # no form at all
    assert "pages/brief.py" not in registered_pages(at)


def test_board_member_cannot_open_the_brief_by_its_url(demo_db: Path) -> None:
    from tests.apptest import open_url

    at = app_as("bea.board@example.com")
    open_url(at, "pages/brief.py").run()
    assert not at.exception
    assert "Weekly check-in brief" not in [t.value for t in at.title]


def test_an_owner_checks_in_and_an_editor_may_create(demo_db: Path) -> None:
    at = app_as("priya.cio@example.com", "pages/okrs.py")
    assert not at.exception
    assert {"Create objective", "Save check-in"} <= _labels(at)
    assert "Accept this objective" not in _labels(at)  # the demo objectives are accepted already
    at.slider(key="confidence-1").set_value(9)
    at.text_area(key="note-1").input("Loyalty app release landed")
    next(b for b in at.button if b.label == "Save check-in").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Check-in saved."]
    assert any("confidence 9/10 — Loyalty app release landed" in c.value for c in at.caption)


def test_create_then_both_owners_accept(demo_db: Path) -> None:
    at = app_as("dana.it@example.com", "pages/okrs.py")
    at.number_input(key="new-okr-count").set_value(2).run()
    at.text_input[0].input("Fewer abandoned carts, faster checkout")
    at.selectbox(key="kr-metric-0").set_value("cart_abandonment_rate")
    at.number_input(key="kr-baseline-0").set_value(68.0)
    at.number_input(key="kr-target-0").set_value(66.0)
    at.selectbox(key="kr-metric-1").set_value("checkout_p95_latency")
    at.number_input(key="kr-baseline-1").set_value(1300.0)
    at.number_input(key="kr-target-1").set_value(1000.0)
    next(b for b in at.button if b.label == "Create objective").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Objective created. Both owners now accept it."]
    assert "Awaiting both owners' acceptance" in [s.value for s in at.subheader]
    with store.connect() as con:
        row = con.execute(
            "SELECT it_owner, marketing_owner FROM objectives WHERE objective_id = 4"
        ).fetchone()
    assert row is not None
    for owner in row:
        page = app_as(owner, "pages/okrs.py")
        next(b for b in page.button if b.label == "Accept this objective").click().run()
        assert [s.value for s in page.success] == ["You accepted “Fewer abandoned carts, faster checkout”."]
    assert "Awaiting both owners' acceptance" not in [s.value for s in page.subheader]


def test_a_refused_draft_shows_a_reason_and_stores_nothing(demo_db: Path) -> None:
    at = app_as("sam.marketing@example.com", "pages/okrs.py")
    at.text_input[0].input("")
    next(b for b in at.button if b.label == "Create objective").click().run()
    assert not at.exception
    assert any("title" in e.value for e in at.error)
    with store.connect() as con:
        assert con.execute("SELECT count(DISTINCT objective_id) FROM objectives").fetchone() == (3,)


def test_the_brief_page_shows_the_latest_week_and_keeps_it(demo_db: Path) -> None:
    at = app_as("marco.cmo@example.com", "pages/brief.py")
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.markdown)
    assert "# Weekly check-in brief, 2026-W47 (16 Nov – 22 Nov 2026)" in text
    assert "## Key results that slipped" in text and "Check-in on Grow repeat customers" in text
    assert "No brief kept yet." in [c.value for c in at.caption]
    next(b for b in at.button if b.label == "Keep this brief").click().run()
    assert [s.value for s in at.success] == ["Brief for 2026-W47 kept."]
    assert any(m.value.startswith("**2026-W47** · kept") for m in at.markdown)
