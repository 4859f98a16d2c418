"""AppTest for every page in dashboard.PAGES and every role: allowed pages render
without exceptions, forbidden ones are not registered and their URL shows nothing of
them. Also sign-in, local mode and losing access at the next click.

Pages are read from dashboard.py when the tests run, so pages added later are covered.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from metrics import access, store
from tests.apptest import (
    ONE_PER_ROLE,
    app_as,
    app_signed_in,
    cards,
    dashboard_pages,
    open_url,
    registered_pages,
)


def _allowed(role: str) -> set[str]:
    person = access.Person(ONE_PER_ROLE[role], role, None, (role,))
    return {script for script, _, _, action in dashboard_pages() if access.can(person, action)}


def _signature(at: AppTest) -> list[str]:
    """What a page shows, in short: titles, headers and every widget's label."""
    texts = [f"title:{t.value}" for t in at.title] + [f"header:{h.value}" for h in at.header]
    widgets = (
        at.button,
        at.text_input,
        at.text_area,
        at.selectbox,
        at.multiselect,
        at.checkbox,
        at.radio,
        at.number_input,
        at.date_input,
        at.toggle,
    )
    return texts + [f"{type(w).__name__}:{w.label}" for kind in widgets for w in kind]


def _assert_clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    assert not at.error, f"{where}: {[e.value for e in at.error]}"


def test_every_role_has_a_demo_person_and_pages_are_found() -> None:
    assert set(ONE_PER_ROLE) == set(access.ROLES)
    scripts = [script for script, *_ in dashboard_pages()]
    assert "pages/board.py" in scripts and "pages/people.py" in scripts
    for script in scripts:
        assert (Path(__file__).resolve().parent.parent / script).is_file(), script


@pytest.mark.parametrize("role", access.ROLES)
def test_each_role_sees_exactly_its_pages_and_each_renders(demo_db: Path, role: str) -> None:
    at = app_signed_in(ONE_PER_ROLE[role])
    _assert_clean(at, f"{role} default page")
    allowed = _allowed(role)
    assert "pages/board.py" in allowed
    assert registered_pages(at) == allowed
    for page in sorted(allowed):
        at.switch_page(page).run()
        _assert_clean(at, f"{role} on {page}")
        assert at.title, f"{page} shows no title to {role}"


@pytest.mark.parametrize("role", [r for r in access.ROLES if _allowed(r) != _allowed("admin")])
def test_a_forbidden_pages_url_shows_nothing_of_it(demo_db: Path, role: str) -> None:
    email = ONE_PER_ROLE[role]
    default = _signature(app_signed_in(email))
    forbidden = sorted(_allowed("admin") - _allowed(role))
    assert forbidden
    for page in forbidden:
        at = app_signed_in(email)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
        open_url(at, page).run()
        _assert_clean(at, f"{role} opening {page}")
        assert _signature(at) == default, f"{role} saw something of {page}"


def test_a_board_member_has_no_write_control_anywhere(demo_db: Path) -> None:
    """No upload, edit, sign or comment control on any page a board member sees."""
    at = app_signed_in(ONE_PER_ROLE["board"])
    for page in sorted(_allowed("board")):
        at.switch_page(page).run()
        _assert_clean(at, page)
        assert not at.get("file_uploader"), f"{page} offers an upload to the board"
        assert not at.text_area and not at.chat_input, f"{page} offers a text box to the board"
        labels = [b.label.lower() for b in at.button if b.key != "sign-out"]
        for word in ("upload", "sign", "propose", "comment", "save", "remove", "retract", "freeze", "add"):
            assert not [label for label in labels if word in label], f"{page}: {labels}"


# ---------------------------------------------------------------- sign-in


def test_signed_out_sees_only_the_sign_in_page_whatever_the_url(demo_db: Path) -> None:
    at = app_signed_in(None)
    _assert_clean(at, "signed out")
    assert [b.label for b in at.button] == ["Sign in"]
    assert not cards(at) and not at.dataframe and not at.sidebar.selectbox
    for page, *_ in dashboard_pages():
        open_url(at, page).run()
        assert [t.value for t in at.title] == ["Shared Scorecard"], page
        assert [b.label for b in at.button] == ["Sign in"] and not cards(at) and not at.dataframe, page


def test_an_unknown_email_is_asked_to_see_an_admin_and_sees_nothing_else(demo_db: Path) -> None:
    at = app_signed_in("stranger@example.com")
    assert "ask an admin" in at.info[0].value and "stranger@example.com" in at.info[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    for page, *_ in dashboard_pages():
        open_url(at, page).run()
        assert not cards(at) and not at.dataframe and len(at.info) == 1, page


def test_an_unverified_email_is_not_trusted(demo_db: Path) -> None:
    at = app_signed_in(ONE_PER_ROLE["admin"], email_verified=False)
    assert "ask an admin" in at.info[0].value and not cards(at)


def test_the_browser_cannot_choose_who_it_is_when_sign_in_is_configured(demo_db: Path) -> None:
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    at.secrets["auth"] = {
        "client_id": "x",
        "client_secret": "y",
        "server_metadata_url": "http://127.0.0.1:9/",
    }
    at.user = {"is_logged_in": True, "email": ONE_PER_ROLE["board"]}
    at.session_state["acting_as"] = ONE_PER_ROLE["admin"]  # ignored with sign-in on
    at.run()
    assert registered_pages(at) == _allowed("board")
    assert not at.sidebar.selectbox


def test_a_removed_person_loses_access_at_the_next_click(demo_db: Path) -> None:
    at = app_signed_in(ONE_PER_ROLE["uploader"], "pages/upload.py")
    _assert_clean(at, "uploader on upload")
    with store.connect(demo_db) as con:
        admin = access.require_person(con, ONE_PER_ROLE["admin"])
        access.remove_person(con, admin, ONE_PER_ROLE["uploader"])
    at.run()
    assert "ask an admin" in at.info[0].value
    assert not at.get("file_uploader") and not cards(at)


def test_a_demoted_admin_loses_the_people_page_at_the_next_click(demo_db: Path) -> None:
    with store.connect(demo_db) as con:
        admin = access.require_person(con, ONE_PER_ROLE["admin"])
        access.add_person(con, admin, email="second@example.com", name="Second Admin", roles=["admin"])
    at = app_signed_in("second@example.com", "pages/people.py")
    assert [t.value for t in at.title] == ["People and roles"]
    with store.connect(demo_db) as con:
        access.add_person(con, admin, email="second@example.com", name="Second Admin", roles=["board"])
    at.run()
    _assert_clean(at, "after demotion")
    assert "People and roles" not in [t.value for t in at.title]
    assert registered_pages(at) == _allowed("board")


# ---------------------------------------------------------------- local mode


def test_local_mode_warns_and_lets_you_pick_who_you_are(demo_db: Path) -> None:
    at = app_as(None)
    assert "anyone who can reach this page can act as anyone" in at.sidebar.warning[0].value
    picker = at.sidebar.selectbox(key="acting_as_picker")
    assert picker.value == ONE_PER_ROLE["admin"]
    with store.connect(demo_db) as con:
        everyone = access.people(con)
    assert picker.options == [f"{p.name} · {p.roles_label}" for p in everyone]
    assert registered_pages(at) == _allowed("admin")
    picker.select(ONE_PER_ROLE["board"]).run()
    assert at.session_state["acting_as"] == ONE_PER_ROLE["board"]
    assert registered_pages(at) == _allowed("board")
    assert "Bea Hartmann" in at.sidebar.caption[0].value


def test_local_mode_acting_as_someone_removed_shows_no_access_but_keeps_the_picker(demo_db: Path) -> None:
    with store.connect(demo_db) as con:
        admin = access.require_person(con, ONE_PER_ROLE["admin"])
        access.remove_person(con, admin, ONE_PER_ROLE["board"])
    at = app_as(ONE_PER_ROLE["board"])
    assert "ask an admin" in at.info[0].value and not cards(at)
    at.sidebar.selectbox(key="acting_as_picker").select(ONE_PER_ROLE["executive"]).run()
    assert not at.info and cards(at)


def test_local_mode_refuses_to_run_beyond_this_machine(demo_db: Path) -> None:
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")  # noqa: S104 - the case under test
    try:
        at = app_as(ONE_PER_ROLE["admin"])
    finally:
        st_config.set_option("server.address", before)
    assert "does not listen on 127.0.0.1 only" in at.error[0].value
    assert not cards(at) and not at.sidebar.selectbox and not at.dataframe


def test_a_session_start_is_logged_once_and_nothing_is_written(
    demo_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with store.connect(demo_db) as con:
        before = store.table_counts(con)
    with caplog.at_level(logging.INFO, logger="scorecard.signin"):
        at = app_as(ONE_PER_ROLE["board"])
        at.run()
    started = [r.getMessage() for r in caplog.records if r.name == "scorecard.signin"]
    assert started == [f"session started: local mode, acting as {ONE_PER_ROLE['board']} (board)"]
    with store.connect(demo_db) as con:
        assert store.table_counts(con) == before
