"""Writing to the board: events on the shared timeline (executives) and owners' notes."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from metrics import access, periods, store
from metrics.access import Person
from metrics.board import commentary
from metrics.board import timeline as events
from metrics.board.view import BoardView, Tile


def add_event_button(view: BoardView, person: Person | None) -> None:
    """The board's one visible way to put an incident, release or campaign on the timeline: a
    button beside the period that opens the form (and the CSV route); only for those who may."""
    if not access.can(person, "add_event"):
        return
    assert person is not None
    with st.popover("Add an event", icon=":material/add:"):
        _event_form(view, person)
        _events_file(person)


def _event_form(view: BoardView, person: Person) -> None:
    names = {t.definition.id: t.definition.name for t in view.tiles}
    with st.form("add-event", clear_on_submit=True, border=False):
        st.markdown("**An incident, release or campaign**")
        day_col, kind_col = st.columns(2)
        day = day_col.date_input("Date", value=ui.today(), max_value=ui.today() + dt.timedelta(days=365))
        kind = kind_col.selectbox("Kind", events.KINDS, format_func=events.KIND_LABELS.__getitem__)
        title = st.text_input("What happened", max_chars=events.MAX_TITLE, key="event-title")
        metric_ids = st.multiselect(
            "Charts it concerns (none = every chart)", list(names), format_func=names.__getitem__
        )
        if st.form_submit_button("Add to the timeline", type="primary"):

            def add() -> bool:
                with store.connect() as con:
                    events.add(con, person, events.NewEvent(day, kind, title.strip(), tuple(metric_ids)))
                return True

            if ui.run(add):
                where = events.where_it_shows(day, view.period.end, view.period.label)
                ui.flash_and_rerun(f"Added. {where}")


def _events_file(person: Person) -> None:
    upload = st.file_uploader(
        "Or upload a CSV of events (date, kind, title, optional metric_ids)", type=["csv"]
    )
    if upload is not None and st.button("Add the file's events", key="add-events-file"):
        problems: list[events.CellError] = []

        def add_file() -> int:
            with store.connect() as con:
                try:
                    return events.upload(con, person, upload.getvalue(), upload.name)
                except events.EventFileRejected as exc:
                    problems.extend(exc.errors)
                    return 0

        added = ui.run(add_file)
        if added:
            ui.flash_and_rerun(f"{added} event(s) added to the timeline.")
        if problems:
            st.error(
                f"{upload.name} was not stored: {len(problems)} problem(s). Every failing cell is listed below."
            )
            st.dataframe(
                [
                    {"Line": e.line, "Column": e.column, "Value": e.value, "Reason": e.reason}
                    for e in problems
                ],
                hide_index=True,
            )


def note_form(view: BoardView, metric_ids: tuple[str, ...], person: Person | None) -> None:
    """An owner attaches a short "why did this move?" note to the period a tile shows."""
    ui.show_flash()
    mine = [
        t
        for t in view.tiles
        if t.definition.id in metric_ids
        and t.latest_period is not None
        and commentary.may_write(person, t.definition)
    ]
    if not mine or person is None:
        return
    with st.form("owner-note", clear_on_submit=True, border=True):
        st.markdown("**Add an owner's note**")
        by_id: dict[str, Tile] = {t.definition.id: t for t in mine}
        chosen = st.selectbox("Metric", list(by_id), format_func=lambda m: _note_choice(by_id[str(m)]))
        choice = by_id[str(chosen)]
        body = st.text_area("Why did it move?", max_chars=commentary.MAX_NOTE, height=80, key="owner-note")
        if st.form_submit_button("Save the note"):

            def write() -> bool:
                assert choice.latest_period is not None
                with store.connect() as con:
                    commentary.write(con, person, choice.definition.id, choice.latest_period, body)
                return True

            if ui.run(write):
                ui.flash_and_rerun("Saved. It shows on the tile and in the pack.")


def _note_choice(t: Tile) -> str:
    """'Site uptime (2026-W47)': the metric and the period a note would explain."""
    shown = "" if t.latest_period is None else f" ({periods.label(t.latest_period, t.definition.cadence)})"
    return f"{t.definition.name}{shown}"
