"""The one non-page module that imports streamlit: caching, the signed-in person,
shared widgets and the single place where errors are shown."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import plotly.graph_objects as go
import streamlit as st

from metrics import access, board, charts, config, seed, status, store
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


@st.cache_resource(max_entries=16, show_spinner=False)
def _board_tiles(path: str, fingerprint: tuple[int, ...], day: dt.date) -> list[board.Tile]:
    with store.connect(Path(path)) as con:
        return board.tiles(con, day)


def board_tiles() -> list[board.Tile]:
    """Tiles for today, cached until the database file changes."""
    path = config.database_path()
    return _board_tiles(str(path), store.data_fingerprint(path), today())


@st.cache_resource(max_entries=64, show_spinner=False)
def _area_figure(fingerprint: tuple[int, ...], day: dt.date, area: str) -> go.Figure:
    tiles = [t for t in board_tiles() if t.definition.area == area]
    return charts.area_trends(tiles)


def area_figure(area: str) -> go.Figure:
    return _area_figure(store.data_fingerprint(config.database_path()), today(), area)


def tile(t: board.Tile) -> None:
    """One metric tile: value, change, red/amber/green, freshness; definition on hover."""
    d = t.definition
    with st.container(border=True):
        st.metric(
            d.name,
            status.format_value(t.latest, d),
            delta=status.format_change(t.delta, d),
            delta_color="normal" if d.higher_is_better else "inverse",
            help=f"{d.description}\n\nTarget: {status.format_value(d.target, d)} · "
            f"{'higher' if d.higher_is_better else 'lower'} is better · {d.cadence}",
            chart_data=list(t.history["value"].tail(12)) if len(t.history) > 1 else None,
        )
        st.badge(charts.RAG_LABELS[t.rag], color=_BADGE_COLOURS[t.rag])
        notes = [t.period_label, f"target {status.format_value(d.target, d)}"]
        if t.stale and t.latest_period is not None:
            notes.append("⚠ stale")
        if t.entry.status != "agreed":
            notes.append(t.entry.status)
        st.caption(" · ".join(notes))


_BADGE_COLOURS = {status.GREEN: "green", status.AMBER: "orange", status.RED: "red", status.NO_DATA: "gray"}


def definition_rows() -> list[dict[str, object]]:
    from metrics import catalog

    with store.connect() as con:
        return catalog.overview(catalog.entries(con, today()))
