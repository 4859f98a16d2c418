"""The UI package: the only non-page code that imports streamlit.

This module holds what every page needs (the database, the acting person, the one
place errors are shown); feature widgets live in ui/<feature>.py."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from metrics import access, catalog, config, seed, store
from metrics.access import Person
from metrics.errors import ScorecardError

log = logging.getLogger("scorecard.ui")
T = TypeVar("T")

DEMO_PERSON = "alex.admin@example.com"


@st.cache_resource(show_spinner="Preparing the database…")
def _initialised(path: str) -> bool:
    seed.initialise(Path(path))
    return True


def ensure_database() -> Path:
    """Create, migrate and seed the database once per process (per path)."""
    path = config.database_path()
    _initialised(str(path))
    return path


def run(action: Callable[[], T]) -> T | None:
    """Run a domain call; show a ScorecardError as a friendly message, anything else
    as a generic message with a reference id (the detail goes to the server log)."""
    try:
        return action()
    except ScorecardError as exc:
        st.error(f"**{exc.title}.** {exc.message}")
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("unexpected error, reference %s", reference)
        st.error(f"Something went wrong on our side. Reference: {reference}.")
    return None


def acting_email() -> str:
    """Who is acting: the signed-in email when sign-in is configured, else the local
    demo choice kept in ``st.session_state["acting_as"]`` (default: the demo admin)."""
    if getattr(st.user, "is_logged_in", False):
        return str(st.user.get("email") or "")
    return str(st.session_state.get("acting_as", DEMO_PERSON))


def current_person() -> Person | None:
    """The acting person, looked up in the people table on every rerun."""
    email = acting_email()
    with store.connect() as con:
        return access.get_person(con, email)


def today() -> dt.date:
    return config.today()


def definition_rows() -> list[dict[str, object]]:
    with store.connect() as con:
        return catalog.overview(catalog.entries(con, today()))
