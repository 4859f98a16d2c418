"""AppTest: the definitions and glossary pages for every role.

Controls appear only for people allowed to use them (the refusal itself is tested in
test_proposals.py); the sign-off works through the page's own forms.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics import access, store
from metrics.catalog import definitions as catalog
from metrics.catalog import proposals
from tests.apptest import ONE_PER_ROLE, app_as
from tests.conftest import TODAY

PAGE = "pages/definitions.py"
GLOSSARY = "pages/glossary.py"
ROLE_PEOPLE = ONE_PER_ROLE  # one demo person per role (tests/apptest.py)
PROPOSE = {"propose-new-submit", "propose-change-submit", "retire-submit"}
SIGN = {"it": {"sign-it", "decline-it"}, "marketing": {"sign-marketing", "decline-marketing"}}
ALL_CONTROLS = PROPOSE | SIGN["it"] | SIGN["marketing"] | {"comment-submit"}


def open_change(db: Path, target: float = 3.5) -> None:
    """An executive proposes a new conversion-rate target (before the page runs)."""
    with store.connect(db) as con:
        proposals.propose_change(
            con, access.require_person(con, "priya.cio@example.com"), "conversion_rate", {"target": target}
        )


def on_metric(email: str, metric_id: str = "conversion_rate") -> AppTest:
    at = app_as(email, PAGE)
    at.selectbox(key="def-open").set_value(metric_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def controls(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key} & ALL_CONTROLS


def text(at: AppTest) -> str:
    """Everything the page wrote, with markdown escapes removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts).replace("\\", "")


@pytest.mark.parametrize("role", list(ROLE_PEOPLE))
def test_controls_are_shown_only_to_people_allowed_to_use_them(demo_db: Path, role: str) -> None:
    open_change(demo_db)
    email = ROLE_PEOPLE[role]
    at = on_metric(email)
    assert not at.error, [e.value for e in at.error]
    with store.connect(demo_db) as con:
        person = access.require_person(con, email)
    expected: set[str] = set()
    if access.can(person, "propose_definition"):
        expected |= PROPOSE
    if access.can(person, "comment"):
        expected.add("comment-submit")
    for side in proposals.sides_for(person):
        expected |= SIGN[side]
    assert controls(at) == expected
    if role in {"board", "uploader"}:
        assert controls(at) == set()
        assert not at.text_area and not at.number_input
        assert [t.label for t in at.tabs] == [
            "Definition",
            "Sign-off",
            "History",
            "Compare versions",
            "Discussion",
        ]
    if role in {"admin", "executive", "it_approver", "marketing_approver"}:
        assert controls(at) >= PROPOSE
    if role == "it_approver":
        assert SIGN["it"] <= controls(at) and not SIGN["marketing"] & controls(at)
    if role == "marketing_approver":
        assert SIGN["marketing"] <= controls(at) and not SIGN["it"] & controls(at)
    if role in {"executive", "uploader", "board"}:
        assert not (SIGN["it"] | SIGN["marketing"]) & controls(at)


@pytest.mark.parametrize("role", list(ROLE_PEOPLE))
def test_the_glossary_edit_controls_follow_the_permission(demo_db: Path, role: str) -> None:
    at = app_as(ROLE_PEOPLE[role], GLOSSARY)
    assert not at.exception and not at.error
    keys = {b.key for b in at.button}
    editing = {"glossary-save", "glossary-remove-submit"}
    assert (editing <= keys) == (role in {"admin", "it_approver", "marketing_approver"})
    assert not (editing & keys) or role not in {"executive", "uploader", "board"}
    assert any("Every acronym" in s.value for s in at.success)


def test_sign_buttons_appear_only_while_a_version_awaits(demo_db: Path) -> None:
    at = on_metric(ROLE_PEOPLE["it_approver"])
    assert not SIGN["it"] & controls(at)
    assert "Nothing awaits signatures" in text(at)


def test_a_change_signed_through_the_page_by_both_approvers(demo_db: Path) -> None:
    open_change(demo_db)
    at = on_metric("dana.it@example.com")
    assert "Waiting for your signature" in text(at)
    rows = at.dataframe[1].value  # the diff against the version in force
    assert list(rows["Field"]) == ["Target"] and list(rows["After"]) == ["3.5"]
    at.button(key="sign-it").click().run()
    assert [s.value for s in at.success] == ["Signed version 2 of conversion_rate for IT."]
    assert "IT: signed by Dana Okafor" in text(at)
    assert "Marketing: awaiting a signature" in text(at)

    at = on_metric("sam.marketing@example.com")
    at.button(key="decline-marketing").click().run()
    assert any("Say why you decline" in e.value for e in at.error)
    at.text_area(key="decide-comment-marketing").input("Agreed with the campaign plan.")
    at.button(key="sign-marketing").click().run()
    assert [s.value for s in at.success] == ["Signed version 2 of conversion_rate for Marketing."]
    assert "Nothing awaits signatures" in text(at)
    with store.connect(demo_db) as con:
        e = next(e for e in catalog.entries(con, TODAY) if e.definition.id == "conversion_rate")
    assert (e.status, e.version, e.definition.target) == ("agreed", 2, 3.5)


def test_a_decline_with_a_comment_through_the_page(demo_db: Path) -> None:
    open_change(demo_db)
    at = on_metric("dana.it@example.com")
    at.text_area(key="decide-comment-it").input("The data source cannot give this yet.")
    at.button(key="decline-it").click().run()
    assert any("Declined version 2" in s.value for s in at.success)
    assert "IT: declined by Dana Okafor" in text(at)
    assert SIGN["it"] <= controls(at)  # the side may still sign this version later


def test_an_executive_proposes_a_change_through_the_form(demo_db: Path) -> None:
    at = on_metric("marco.cmo@example.com")
    at.number_input(key="chg-conversion_rate-1-target").set_value(3.4)
    at.text_area(key="chg-comment-conversion_rate").input("Stretch goal for next year")
    at.button(key="propose-change-submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Proposed a new version of conversion_rate" in s.value for s in at.success)
    with store.connect(demo_db) as con:
        h = proposals.history(con, "conversion_rate")
    assert (h.latest.version, h.latest.definition.target, h.latest.comment) == (
        2, 3.4, "Stretch goal for next year"
    )  # fmt: skip
    assert h.entry.status == "change pending"
    assert "Version 1 in force" in text(at)
    assert any("badge[change pending]" in m.value for m in at.markdown)  # st.badge is markdown


def test_an_invalid_proposal_shows_the_reason_and_stores_nothing(demo_db: Path) -> None:
    at = on_metric("priya.cio@example.com")
    at.number_input(key="chg-conversion_rate-1-target").set_value(1.0)
    at.button(key="propose-change-submit").click().run()
    assert any("target >= amber >= red" in e.value for e in at.error)
    with store.connect(demo_db) as con:
        assert proposals.history(con, "conversion_rate").latest.version == 1


def test_filters_find_definitions_by_area_owner_status_and_words(demo_db: Path) -> None:
    open_change(demo_db)
    at = app_as("bea.board@example.com", PAGE)
    at.multiselect(key="def-areas").set_value(["conversion"]).run()
    assert {o for o in at.selectbox(key="def-open").options} >= {"Conversion rate (conversion_rate)"}
    assert all("conversion" in area.lower() for area in at.dataframe[0].value["Area"])
    at.multiselect(key="def-status").set_value(["change pending"]).run()
    assert list(at.dataframe[0].value["Metric"]) == ["Conversion rate"]
    at.multiselect(key="def-status").set_value([]).run()
    at.multiselect(key="def-areas").set_value([]).run()
    at.text_input(key="def-search").input("promoter").run()
    assert list(at.dataframe[0].value["Metric"]) == ["Net promoter score"]
    at.text_input(key="def-search").input("no such words anywhere").run()
    assert any("No definition matches" in i.value for i in at.info)
    at.text_input(key="def-search").input("").run()
    at.selectbox(key="def-owner").set_value("sam.marketing@example.com").run()
    table = at.dataframe[0].value
    assert len(table) > 0
    for it_owner, marketing_owner in zip(table["IT owner"], table["Marketing owner"], strict=True):
        assert "sam.marketing@example.com" in {it_owner, marketing_owner}


def test_history_and_glossary_hover_on_the_definition(demo_db: Path) -> None:
    open_change(demo_db)
    at = on_metric("bea.board@example.com", "unreviewed_saas_tools")
    helps = [m.help or "" for m in at.markdown]
    assert any("shadow IT" in h.replace("\\", "") for h in helps)
    at = on_metric("bea.board@example.com")
    versions = at.dataframe[2].value
    assert list(versions["Version"]) == [2, 1]
    assert list(versions["State"]) == ["awaiting signatures", "in force"]
    signatures = at.dataframe[3].value
    assert set(signatures["Who"]) == {
        "Dana Okafor (dana.it@example.com)",
        "Sam Lindqvist (sam.marketing@example.com)",
    }
