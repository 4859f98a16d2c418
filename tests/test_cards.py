"""The board's tiles and trends as HTML (metrics/board/cards.py): words, colours, text alternatives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from metrics import store
from metrics.board import cards, status
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from tests.conftest import TODAY
from tests.known import W47_SHOWN

SEED = {m.id: m for m in catalog.load_seed().metrics}


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance, worked out from the formula (not from any library)."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_pairs() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


def _pairs(css: str) -> list[tuple[str, str, str]]:
    """(rule, text colour, background) for every rule of the stylesheet that sets both."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        text = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        back = re.search(r"background:\s*(#[0-9a-fA-F]{6})", body)
        if text and back:
            found.append((selector.strip(), text[1], back[1]))
    return found


def test_every_badge_and_change_pill_is_readable_text() -> None:
    pairs = _pairs(cards.STYLE)
    assert len(pairs) >= 7  # four status badges and three change pills at least
    for selector, text, back in pairs:
        assert contrast(text, back) >= 4.5, (selector, text, back, contrast(text, back))


def test_status_marks_stand_out_from_white_as_graphics() -> None:
    for name, colour in {**cards.MARK_HEX, **cards.EVENT_HEX}.items():
        assert contrast(colour, "#ffffff") >= 3.0, (name, colour)


def _tile(metric_id: str, values: list[float], start: dt.date = dt.date(2026, 10, 5)) -> board.Tile:
    entry = catalog.CatalogEntry(SEED[metric_id], 1, "agreed", 1)
    days = [start + dt.timedelta(weeks=i) for i in range(len(values))]
    history = pd.DataFrame({"period_start": days, "value": values})
    return board.Tile(
        entry,
        days[-1],
        values[-1],
        values[-2] if len(values) > 1 else None,
        None,
        status.rag(values[-1], SEED[metric_id]),
        False,
        history,
        board.BoardPeriod("weekly", days[-1]),
        1,
    )


def test_a_change_says_better_or_worse_in_the_metrics_direction_and_zero_is_neither() -> None:
    assert cards.change_tone(_tile("sessions", [240_000, 250_000]))[0] == "sc-better"  # higher is better
    assert cards.change_tone(_tile("sessions", [250_000, 240_000]))[0] == "sc-worse"
    assert cards.change_tone(_tile("mttr_hours", [9.0, 8.0]))[0] == "sc-better"  # lower is better
    assert cards.change_tone(_tile("mttr_hours", [8.0, 9.0]))[0] == "sc-worse"
    assert cards.change_tone(_tile("security_incidents", [1, 1]))[0] == "sc-same"  # "+0" is not bad news


def test_a_chart_is_described_in_words_a_sighted_reader_would_use() -> None:
    t = _tile("sessions", [238_000, 241_500, 250_100, 254_246])
    assert cards.describe(t, 12) == (
        "Website sessions, last 4 weeks, 238,000 to 254,246, rising; "
        + status.word(254_246, SEED["sessions"])
    )
    falling = _tile("sessions", [254_246, 250_000, 238_000])
    assert ", falling; " in cards.describe(falling, 12)
    flat = _tile("sessions", [250_000, 260_000, 250_100])
    assert ", flat; " in cards.describe(flat, 12)


def test_every_point_of_a_sparkline_tells_its_period_and_value_on_hover() -> None:
    t = _tile("site_uptime", [99.95, 99.8, 99.9])
    drawn = cards.spark(t, 26, 160, 34)
    assert drawn is not None
    assert [p.label for p in drawn.points] == ["2026-W41: 99.95%", "2026-W42: 99.80%", "2026-W43: 99.90%"]
    xs = [p.x for p in drawn.points]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] <= 160


def test_the_demo_board_cards_read_the_known_numbers(con: store.Connection) -> None:
    view = board.view(con, TODAY)
    made = {c.name: c for c in (cards.card(t, view.period) for t in view.tiles)}
    assert {name: made[name].value for name in W47_SHOWN} == W47_SHOWN
    assert all(c.badge.split(" ", 1)[1].lower() in status.WORDS for c in made.values())
    budget = cards.budget_card(view)
    assert budget.value == "21%" and budget.badge == status.label(status.TO_WATCH)


def test_a_persons_text_in_a_card_is_text(con: store.Connection) -> None:
    view = board.view(con, TODAY)
    t = view.tiles[0]
    named = dataclasses.replace(
        t,
        entry=dataclasses.replace(
            t.entry,
            definition=dataclasses.replace(t.definition, name='<img src=x onerror="alert(1)">\n\n# $5'),
        ),
    )
    html = cards.cards_html([cards.card(named, view.period, href="journey?metric=x")], label="x")
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert html.count("<img") == 1  # the sparkline, and nothing of the name's
