"""Board mode is read-only, proven on the database itself: a checksum of every table
(and sequence) before and after a board member signs in and works every control on
every page they can open, in AppTest. Nothing may change."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from metrics import access
from tests.apptest import ONE_PER_ROLE, app_signed_in, dashboard_pages, registered_pages

BOARD = ONE_PER_ROLE["board"]
#: Typed into every text box: markup, SQL and a formula, none of which may do anything.
TYPED = "<img src=x onerror=alert(1)> '; DROP TABLE people; -- =1+1"
MAX_CHOICES = 4  # options tried per select box, radio, multiselect or button group
WIDGET_KINDS = (
    "button",
    "checkbox",
    "toggle",
    "selectbox",
    "radio",
    "multiselect",
    "button_group",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "slider",
    "select_slider",
    "download_button",
    "chat_input",
)


def table_checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows, order-independent hash of every row); per sequence: its value."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        sums: dict[str, tuple[int, int]] = {}
        for name in tables:
            # names come from the catalog above, not from a person
            row = con.execute(f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{name}" t').fetchone()
            assert row is not None
            sums[name] = (int(row[0]), int(row[1]))
        for name, value in con.execute("SELECT sequence_name, last_value FROM duckdb_sequences()").fetchall():
            sums[f"sequence {name}"] = (0, int(value or 0))
        return sums
    finally:
        con.close()


def _force_choice(widget: Any, labels: list[str], single: bool) -> None:
    """Make the next run see ``labels`` chosen, as a browser would send them: by their
    shown text, whatever format_func the page used."""

    def state(self: Any) -> WidgetState:
        ws = WidgetState()
        ws.id = self.id
        if single:
            ws.string_value = labels[0]
        else:
            ws.string_array_value.data[:] = labels
        return ws

    base = type(widget)
    widget.__class__ = type(f"Chosen{base.__name__}", (base,), {"_widget_state": property(state)})


def _moves(kind: str, widget: Any) -> Iterator[Callable[[Any], None]]:
    """Every interaction worth trying on one widget (applied to a freshly found copy)."""
    if kind in {"button", "download_button"}:
        yield lambda w: w.click()
    elif kind in {"checkbox", "toggle"}:
        yield lambda w: w.set_value(not w.value)
    elif kind in {"selectbox", "radio"}:
        for label in list(widget.options)[:MAX_CHOICES]:
            yield functools.partial(_force_choice, labels=[str(label)], single=True)
    elif kind in {"multiselect", "button_group"}:
        for label in list(widget.options)[:MAX_CHOICES]:
            yield functools.partial(
                _force_choice, labels=[str(getattr(label, "content", label))], single=False
            )
    elif kind in {"text_input", "text_area", "chat_input"}:
        yield lambda w: w.set_value(TYPED)
    elif kind == "number_input":
        yield lambda w: w.increment()
    elif kind == "date_input":
        yield lambda w: w.set_value(dt.date(2025, 6, 30))
    elif kind in {"slider", "select_slider"}:
        yield lambda w: w.set_value(w.value)


def _find(at: AppTest, kind: str, key: str | None, index: int) -> Any | None:
    widgets = list(getattr(at, kind))
    if key is not None:
        return next((w for w in widgets if w.key == key), None)
    return widgets[index] if index < len(widgets) else None


def _work_every_control(at: AppTest, page: str) -> int:
    """Try every move on every widget of the page (and on widgets that appear on the
    way); returns how many moves were made."""
    done: set[tuple[str, str, int]] = set()
    moves = 0
    for _ in range(3):  # widgets revealed by a move get their turn in the next pass
        found = False
        for kind in WIDGET_KINDS:
            for index, widget in enumerate(list(getattr(at, kind))):
                if widget.key == "sign-out":
                    continue
                ident = (kind, widget.key or f"{widget.label}", index)
                if ident in done:
                    continue
                done.add(ident)
                found = True
                for move in _moves(kind, widget):
                    current = _find(at, kind, widget.key, index)
                    if current is None:
                        break
                    move(current)
                    at.run()
                    moves += 1
                    assert not at.exception, f"{page} {kind} {ident}: {[e.value for e in at.exception]}"
                    # stay on the page (a move may navigate); it must still be there
                    at.switch_page(page)
        if not found:
            break
    return moves


def test_checksums_see_a_change(demo_db: Path) -> None:
    """The checksum is sensitive enough: one changed field in one row shows."""
    before = table_checksums(demo_db)
    con = duckdb.connect(str(demo_db))
    con.execute("UPDATE people SET name = name || '.' WHERE email = ?", [BOARD])
    con.close()
    after = table_checksums(demo_db)
    assert [t for t in before if before[t] != after[t]] == ["people"]


def test_a_board_session_changes_nothing(demo_db: Path) -> None:
    before = table_checksums(demo_db)
    at = app_signed_in(BOARD)
    pages = sorted(registered_pages(at))
    assert pages == sorted(s for s, _, _, a in dashboard_pages() if access.can(_board(), a))
    total = 0
    for page in pages:
        at.switch_page(page).run()
        assert not at.exception, page
        moves = _work_every_control(at, page)
        print(f"{page}: {moves} moves")
        total += moves
    assert total > 0, "no control was worked: the test would prove nothing"
    after = table_checksums(demo_db)
    changed = {
        t: (before.get(t), after.get(t))
        for t in before.keys() | after.keys()
        if before.get(t) != after.get(t)
    }
    assert not changed, f"a board session changed the database: {changed}"


def _board() -> access.Person:
    return access.Person(BOARD, "Bea", None, ("board",))
