"""Board pack widgets: build and download, freeze at period close, the frozen list."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from metrics import access, store
from metrics.access import Person
from metrics.board.view import BoardPeriod
from metrics.packs import gather as pack


def _build(period: BoardPeriod, as_of: dt.date, fmt: str) -> bytes:
    with store.connect() as con:
        data = pack.gather(con, ui.today(), period, None if as_of == ui.today() else as_of)
    return pack.build(data, fmt)


def downloads(period: BoardPeriod, as_of: dt.date) -> None:
    """PDF and HTML built when clicked (a PDF takes about a second), never on every rerun."""
    left, right = st.columns(2)
    for column, fmt, icon in ((left, "pdf", ":material/picture_as_pdf:"), (right, "html", ":material/html:")):
        with column:
            st.download_button(
                f"Download the {fmt.upper()} pack",
                data=lambda fmt=fmt: _build(period, as_of, fmt),  # type: ignore[misc]
                file_name=pack.file_name(period, fmt),
                mime=pack.MEDIA_TYPES[fmt],
                icon=icon,
                on_click="ignore",
                key=f"download-{fmt}",
            )


def freeze_button(period: BoardPeriod, as_of: dt.date, person: Person | None) -> None:
    if not access.can(person, "freeze_pack"):
        st.caption("Executives freeze a period's pack at period close.")
        return
    if period.end > ui.today():
        st.caption(f"{period.label} closes on {period.end:%d %b %Y}; its pack can be frozen from then.")
        return
    if st.button(f"Freeze the {period.label} pack", icon=":material/lock:", type="primary"):
        assert person is not None

        def freeze() -> bool:
            with store.connect() as con:
                pack.freeze(con, person, period, ui.today(), None if as_of == ui.today() else as_of)
            return True

        if ui.run(freeze):
            st.success(f"The {period.label} pack is frozen. It is listed below and will never change.")


def frozen_list() -> None:
    with store.connect() as con:
        found = pack.frozen(con)
    if not found:
        st.info("No pack has been frozen yet.")
        return
    for item in found:
        cols = st.columns([2, 1, 3, 2], vertical_alignment="center")
        cols[0].markdown(f"**{item.period}** · {item.format.upper()}")
        cols[1].caption(f"as of {item.as_of:%d %b %Y}")
        cols[2].caption(
            f"frozen by {item.frozen_by} on {item.frozen_at:%d %b %Y %H:%M} UTC · sha256 {item.sha256[:12]}…"
        )
        with cols[3]:
            st.download_button(
                "Download",
                data=lambda pack_id=item.pack_id: _frozen_bytes(pack_id),  # type: ignore[misc]
                file_name=item.file_name,
                mime=pack.MEDIA_TYPES.get(item.format, "application/octet-stream"),
                key=f"frozen-{item.pack_id}",
                icon=":material/download:",
                on_click="ignore",
            )


def _frozen_bytes(pack_id: int) -> bytes:
    with store.connect() as con:
        return pack.frozen_content(con, pack_id)[1]
