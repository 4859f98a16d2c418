"""Weekly brief widgets: choose a week, read it, download it, keep it, list the kept ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import streamlit as st

import ui
import ui.okrs
from metrics import config, store
from metrics.access import Person
from metrics.board.view import BoardPeriod
from metrics.okrs import brief

RECENT_WEEKS = 12


def week_choice() -> BoardPeriod:
    newest = brief.latest_week(ui.today())
    options = [newest.shifted(-i) for i in range(RECENT_WEEKS)]
    return st.selectbox("Week", options, format_func=lambda w: f"{w.label} ({w.dates})", key="brief-week")


@st.cache_resource(max_entries=16, show_spinner=False)
def _gathered(path: str, fingerprint: tuple[int, ...], week: BoardPeriod, day: dt.date) -> brief.Brief:
    with store.connect(Path(path), read_only=True) as con:
        return brief.gather(con, week, day)


def gathered(week: BoardPeriod) -> brief.Brief:
    path = config.database_path()
    return _gathered(str(path), store.data_fingerprint(path), week, ui.today())


def show(made: brief.Brief) -> None:
    with st.container(border=True):
        st.markdown(brief.markdown(made))  # every data text in it went through brief.escape


def downloads(made: brief.Brief) -> None:
    md_col, pdf_col, _ = st.columns([1, 1, 3])
    md_col.download_button(
        "Markdown",
        brief.markdown(made).encode("utf-8"),
        brief.file_name(made.week, "md"),
        "text/markdown",
        icon=":material/download:",
    )
    pdf_col.download_button(
        "PDF",
        lambda: brief.pdf(made),
        brief.file_name(made.week, "pdf"),
        "application/pdf",
        icon=":material/picture_as_pdf:",
    )


def keep_button(made: brief.Brief, person: Person) -> None:
    if st.button(
        "Keep this brief", icon=":material/bookmark_add:", help="Stores it as made, with the week's wins."
    ):
        ui.act(lambda con: brief.keep(con, person, made), f"Brief for {made.week.label} kept.")


def _kept_file(brief_id: int, index: int) -> Callable[[], bytes]:
    """A download that reads one kept brief's Markdown (0) or PDF (1) only when clicked."""

    def read() -> bytes:
        return _stored(brief_id)[index]

    return read


def kept_list() -> None:
    def load() -> list[brief.KeptBrief]:
        with store.connect() as con:
            return brief.kept(con)

    found = ui.run(load)
    if not found:
        st.caption("No brief kept yet.")
        return
    for b in found:
        with st.container(border=True):
            text_col, md_col, pdf_col = st.columns([4, 1, 1], vertical_alignment="center")
            text_col.markdown(
                f"**{b.week}** · kept {b.made_at:%d %b %Y %H:%M} UTC by {ui.okrs.plain(b.made_by)}"
            )
            md_col.download_button(
                "Markdown",
                _kept_file(b.brief_id, 0),
                f"check-in-brief-{b.week}.md",
                key=f"kept-md-{b.brief_id}",
            )
            pdf_col.download_button(
                "PDF",
                _kept_file(b.brief_id, 1),
                f"check-in-brief-{b.week}.pdf",
                key=f"kept-pdf-{b.brief_id}",
            )


def _stored(brief_id: int) -> tuple[bytes, bytes]:
    with store.connect() as con:
        _, text, document = brief.load(con, brief_id)
    return text.encode("utf-8"), document
