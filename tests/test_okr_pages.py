"""AppTest for the OKR and brief pages, per role: the board reads, owners accept and check in,
managers edit (a new revision both owners accept again) and withdraw (after a confirmation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import store
from metrics.okrs import objectives as okrs
from tests.apptest import app_as, registered_pages

EDIT_BUTTONS = {
    "Create objective",
    "Save check-in",
    "Accept this objective",
    "Keep this brief",
    "Edit",
    "Withdraw",
    "Save as a new revision",
    "Yes, withdraw",
}
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
    at.text_input(key="okr-title").input("Fewer abandoned carts, faster checkout")
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
    at.text_input(key="okr-title").input("")
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


# ---------------------------------------------------------------- editing and withdrawing

FIRST = "Grow repeat customers without risking uptime"  # objective 1, owned by priya and marco


def _subheaders(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.value for s in at.subheader]


def _questions(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.value for w in at.warning if w.value.startswith("Withdraw ")]


def _click(at, label: str) -> None:  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def _manage_buttons(at) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(b.key for b in at.button if b.key and b.key.startswith(("edit-", "withdraw-")))


def test_an_executive_may_edit_and_withdraw_each_objective_and_the_board_may_not(demo_db: Path) -> None:
    executive = app_as("priya.cio@example.com", "pages/okrs.py")
    ids = (1, 2, 3)  # the demo's objectives
    assert _manage_buttons(executive) == [f"edit-{i}" for i in ids] + [f"withdraw-{i}" for i in ids]
    board = app_as("bea.board@example.com", "pages/okrs.py")
    assert not board.exception
    assert not _manage_buttons(board)
    assert not _labels(board) & {"Edit", "Withdraw"}


def test_an_executive_edits_an_objective_and_it_awaits_both_owners_again(demo_db: Path) -> None:
    at = app_as("priya.cio@example.com", "pages/okrs.py")
    at.button(key="edit-1").click().run()
    assert not at.exception
    # the form starts from the revision in force
    assert at.text_input(key="okr-1-r1-okr-title").value == FIRST
    assert at.number_input(key="okr-1-r1-okr-count").value == 3
    assert at.selectbox(key="okr-1-r1-kr-metric-0").value == "repeat_purchase_rate"
    at.text_input(key="okr-1-r1-okr-title").input("Grow repeat customers and keep uptime")
    at.number_input(key="okr-1-r1-kr-target-0").set_value(35.0)
    _click(at, "Save as a new revision")
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "Saved “Grow repeat customers and keep uptime” as a new revision. It is awaiting both owners' "
        "acceptance again and counts once both have accepted it."
    ]
    headings = _subheaders(at)
    assert FIRST not in headings
    awaiting = headings.index("Awaiting both owners' acceptance")
    assert headings.index("Grow repeat customers and keep uptime") > awaiting
    assert [t.key for t in at.text_input] == ["okr-title"]  # the edit form closed; the create form stays
    with store.connect() as con:
        edited = okrs.get(con, 1)
    assert (edited.revision, edited.awaiting) == (2, ("it", "marketing"))
    assert edited.key_results[0].target == 35.0
    assert [k.metric_id for k in edited.key_results] == [
        "repeat_purchase_rate",
        "churn_rate",
        "site_uptime",
    ]


def test_saving_an_unchanged_form_keeps_the_acceptances(demo_db: Path) -> None:
    at = app_as("dana.it@example.com", "pages/okrs.py")
    at.button(key="edit-2").click().run()
    _click(at, "Save as a new revision")
    assert [i.value for i in at.info] == [
        "Nothing changed, so no new revision was saved; the owners' acceptances stand."
    ]
    with store.connect() as con:
        assert okrs.get(con, 2).revision == 1 and okrs.get(con, 2).accepted


def test_a_refused_edit_shows_why_and_keeps_the_form(demo_db: Path) -> None:
    at = app_as("sam.marketing@example.com", "pages/okrs.py")
    at.button(key="edit-2").click().run()
    # each owner picker offers only its own side: the marketing one has no IT person to pick
    assert "dana.it@example.com" not in at.selectbox(key="okr-2-r1-okr-mk-owner").options
    at.text_input(key="okr-2-r1-okr-title").input("   ")
    _click(at, "Save as a new revision")
    assert any("needs a title" in e.value for e in at.error)
    assert not at.success
    assert at.text_input(key="okr-2-r1-okr-title").value == "   "
    with store.connect() as con:
        assert okrs.get(con, 2).revision == 1


def test_withdrawing_asks_first_then_takes_the_objective_off_the_list(demo_db: Path) -> None:
    at = app_as("marco.cmo@example.com", "pages/okrs.py")
    question = f"Withdraw {FIRST}? It leaves the list; its history is kept."
    at.button(key="withdraw-1").click().run()
    assert _questions(at) == [question]
    _click(at, "Cancel")  # changing one's mind writes nothing
    assert not _questions(at) and FIRST in _subheaders(at)
    at.button(key="withdraw-1").click().run()
    with store.connect() as con:
        assert not okrs.get(con, 1).withdrawn  # asking is not doing
    _click(at, "Yes, withdraw")
    assert [s.value for s in at.success] == [
        f"“{FIRST}” was withdrawn: it no longer shows in the list, and its history is kept."
    ]
    assert FIRST not in _subheaders(at) and not _questions(at)
    at.toggle(key="okr-show-withdrawn").set_value(True).run()
    assert "Withdrawn objectives" in _subheaders(at)
    assert any(m.value.startswith(f"**{FIRST}** :gray-badge[Withdrawn]") for m in at.markdown)
    assert any("withdrawn by Marco" in c.value for c in at.caption)
    with store.connect() as con:
        assert [o.objective_id for o in okrs.objectives(con)] == [2, 3]
        assert okrs.get(con, 1).withdrawn and okrs.get(con, 1).revision == 2
