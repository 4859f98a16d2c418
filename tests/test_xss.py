"""Uploaded or typed text is shown as text, never as HTML.

A script tag's quieter cousin goes into a metric name, an upload's file name, a value's
note (from the CSV) and an owner's note on the board, through the domain functions
that put them there; every page an admin can open must then show it verbatim as text
and never inside an element that renders HTML. tests/browser/test_xss.py checks the
same data in a real browser: no <img> element is created.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics import access, store
from metrics.board import commentary
from metrics.catalog import definitions as catalog
from metrics.uploads import observations
from tests.apptest import ONE_PER_ROLE, app_signed_in, cards, dashboard_pages

PAYLOAD = "<img src=x onerror=alert(1)>"
METRIC = "site_uptime"  # an IT uptime metric, weekly, on the board
WEEK = dt.date(2026, 11, 16)  # the last complete week before the fixed today (2026-11-23)


def _plant_shared(
    con: store.Connection, payload: str, *, name: str, description: str | None, segment: str, value_note: str
) -> None:
    """``payload`` in the fields the two planting helpers share: the metric's name and meaning
    (agreed by both sides, so it shows), an upload's file name, a value's segment and note, and an
    owner's note on the board."""
    entry = next(e for e in catalog.entries(con) if e.definition.id == METRIC)
    renamed = dataclasses.replace(
        entry.definition, name=name, description=description or entry.definition.description
    )
    with store.transaction(con):
        version = catalog.add_version(con, renamed, proposed_by=ONE_PER_ROLE["executive"])
        for side, signer in (
            ("it", ONE_PER_ROLE["it_approver"]),
            ("marketing", ONE_PER_ROLE["marketing_approver"]),
        ):
            catalog.record_signature(
                con, METRIC, version, side=side, signer=signer, content_hash=renamed.content_hash()
            )
        upload = observations.add_upload(
            con,
            original=b"planted",
            file_name=f"{payload}.csv",
            uploaded_by=ONE_PER_ROLE["admin"],
            source="cli",
            outcome="accepted",
            row_count=1,
        )
        frame = pd.DataFrame(
            {
                "metric_id": [METRIC],
                "period_start": [WEEK],
                "segment": [segment],
                "value": [99.5],
                "note": [value_note],
            }
        )
        observations.append(con, frame, upload)
    admin = access.require_person(con, ONE_PER_ROLE["admin"])
    commentary.write(con, admin, METRIC, WEEK, f"Note {payload}")


def plant_payloads(path: Path) -> None:
    """Put PAYLOAD where people can put text: a metric name (agreed by both sides, so it
    shows), an upload's file name, a value's note and an owner's note on the board."""
    with store.connect(path) as con:
        _plant_shared(
            con, PAYLOAD, name=f"Uptime {PAYLOAD}", description=None, segment="", value_note=PAYLOAD
        )


def _nodes(at: AppTest) -> Iterator[Any]:
    yield from at.main
    yield from at.sidebar


def _renders_html(node: Any) -> bool:
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    return kind == "html" or bool(
        getattr(proto, "allow_html", False) or getattr(proto, "unsafe_allow_html", False)
    )


_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _text_of(node: Any) -> str:
    """What the element shows; markdown backslash escapes (``\\<`` shows ``<``) undone."""
    parts = []
    for attribute in ("value", "label", "body"):
        try:
            value = getattr(node, attribute)
        except Exception:  # noqa: S112 - not every element has every attribute
            continue
        if isinstance(value, pd.DataFrame):
            value = value.to_csv()
        parts.append(str(value))
    return _MARKDOWN_ESCAPE.sub(r"\1", " ".join(parts))


#: the board's tiles and trends: our own HTML, rendered by Jinja2 with autoescape (metrics/board/cards.py)
_OUR_HTML = '<div class="sc-'


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _check_our_html(source: str, where: str) -> str:
    """One of our HTML blocks: a person's text inside it is text, never a tag, a link or an
    image of theirs. Returns the text it shows (with its titles and image descriptions)."""
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", source))
    ours = {
        "div",
        "a",
        "span",
        "img",
        "h4",
        "details",
        "summary",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
    assert tags <= ours, f"{where}: {tags - ours}"
    for href in re.findall(r'href="([^"]*)"', source):
        assert href.startswith(("journey?", "reliability?")), f"{where}: a link of someone else's: {href}"
    for src in re.findall(r'src="([^"]*)"', source):
        assert src.startswith("data:image/svg+xml;base64,"), f"{where}: an image from elsewhere: {src[:80]}"
    reader = _TextOnly()
    reader.feed(source)
    return " ".join(reader.parts) + " " + " ".join(re.findall(r'(?:title|alt|aria-label)="([^"]*)"', source))


def _check_page(at: AppTest, page: str) -> set[str]:
    """Where the payload shows on this page; fails if an HTML-rendering element has it."""
    assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
    shown = set()
    for node in _nodes(at):
        raw = getattr(node, "value", "")
        if isinstance(raw, str) and raw.startswith(_OUR_HTML):
            if PAYLOAD in html.unescape(_check_our_html(raw, page)):
                shown.add("cards")
            continue
        text = _text_of(node)
        if "<img" in text:
            assert not _renders_html(node), f"{page}: {getattr(node, 'type', node)} renders it as HTML"
            assert PAYLOAD in text, f"{page}: the payload was altered, not shown verbatim: {text[:200]}"
            shown.add(getattr(node, "type", type(node).__name__))
    return shown


def test_planted_text_is_shown_verbatim_and_never_as_html(demo_db: Path) -> None:
    plant_payloads(demo_db)
    at = app_signed_in(ONE_PER_ROLE["admin"])
    seen: dict[str, set[str]] = {}
    for page, *_ in dashboard_pages():
        at.switch_page(page).run()
        seen[page] = _check_page(at, page)
    # the metric name is a tile label on the board and a row of the definitions table
    assert "cards" in seen["pages/board.py"], seen
    assert seen["pages/definitions.py"], seen
    # the file name heads the newest upload in the history; its values show the note
    assert any(PAYLOAD in _text_of(s) for s in at.switch_page("pages/uploads.py").run().subheader)
    history = _check_page(at, "pages/uploads.py")
    assert "subheader" in history and ({"dataframe", "arrow_data_frame"} & history), history
    assert any(f"Note {PAYLOAD}" in c.note for c in cards(at.switch_page("pages/board.py").run()))


def test_typed_text_on_the_people_page_is_refused_or_shown_as_text(demo_db: Path) -> None:
    at = app_signed_in(ONE_PER_ROLE["admin"], "pages/people.py")
    at.text_input(key="person-email-0").input(f"x{PAYLOAD}@example.com")
    at.text_input(key="person-name-0").input(f"Mallory {PAYLOAD}")
    at.multiselect(key="person-roles-0").select("board")
    at.button(key="save-person").click().run()
    assert "not an email address" in at.error[0].value
    _check_page(at, "pages/people.py")
    at.text_input(key="person-email-0").input("mallory@example.com")  # the refused entry stayed
    at.button(key="save-person").click().run()
    assert not at.error, [e.value for e in at.error]
    assert (
        "Added" in at.success[0].value and at.text_input(key="person-email-1").value == ""
    )  # saved: a fresh, empty form
    assert "dataframe" in _check_page(at, "pages/people.py") or "arrow_data_frame" in _check_page(
        at, "pages/people.py"
    )
    with store.connect(demo_db) as con:
        assert access.require_person(con, "mallory@example.com").name == f"Mallory {PAYLOAD}"


MARKDOWN = "[x](javascript:alert(1)) ![i](https://example.com/p.png) <b>b</b>"
#: a link or an image that Markdown would render: [text](target) without an escaping backslash
_LIVE_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")


def plant_markdown(path: Path) -> None:
    """Markdown payloads where people type text: a definition's name and meaning, an objective's
    title, an upload's file name and a value's segment, a timeline event, an owner's note, a
    glossary meaning and a comment on a definition."""
    from metrics.board import timeline
    from metrics.catalog import glossary, proposals
    from metrics.okrs import objectives, progress

    with store.connect(path) as con:
        _plant_shared(
            con,
            MARKDOWN,
            segment=f"seg {MARKDOWN}"[:100],
            value_note=f"value note {MARKDOWN}",
            name=f"Uptime {MARKDOWN}",
            description=f"Meaning {MARKDOWN}",
        )
        admin = access.require_person(con, ONE_PER_ROLE["admin"])
        glossary.set_term(con, admin, "XSSTERM", f"Meaning {MARKDOWN}")
        proposals.add_comment(con, admin, METRIC, f"Comment {MARKDOWN}")
        timeline.add(
            con, admin, timeline.NewEvent(WEEK + dt.timedelta(days=1), "incident", f"Event {MARKDOWN}")
        )
        draft = objectives.ObjectiveDraft(
            f"Objective {MARKDOWN}",
            "2026-Q4",
            "priya.cio@example.com",
            "marco.cmo@example.com",
            (
                progress.KeyResultSpec("conversion_rate", 3.0, 3.6, dt.date(2026, 12, 31)),
                progress.KeyResultSpec("sessions", 250_000, 260_000, dt.date(2026, 12, 31)),
            ),
        )
        objectives.save(con, access.require_person(con, "priya.cio@example.com"), draft)


def _markdown_sources(node: Any) -> Iterator[str]:
    """The Markdown an element renders (its value, label or help), raw, escapes kept."""
    if getattr(node, "type", "") in {"dataframe", "arrow_data_frame", "table", "json", "code"}:
        return
    for attribute in ("value", "label", "body", "help"):
        try:
            value = getattr(node, attribute)
        except Exception:  # noqa: S112 - not every element has every attribute
            continue
        if isinstance(value, str):
            yield value


def _plotly_specs(at: AppTest) -> Iterator[str]:
    """Plotly figures (their hover labels render a subset of HTML). Vega-Lite's tooltips show
    text as text, so its specs carry titles as written."""
    for node in _nodes(at):
        spec = getattr(getattr(node, "proto", None), "spec", "")
        if isinstance(spec, str) and '"layout"' in spec and "vega-lite" not in spec:
            yield spec


@pytest.mark.parametrize("role", sorted(ONE_PER_ROLE))
def test_typed_markdown_never_becomes_a_link_an_image_or_markup_for_any_role(
    demo_db: Path, role: str
) -> None:
    plant_markdown(demo_db)
    at = app_signed_in(ONE_PER_ROLE[role])
    seen: list[str] = []
    for page, *_ in dashboard_pages():
        try:
            at.switch_page(page).run()
        except ValueError:
            continue  # a page this role may not open is not registered for them
        assert not at.exception, f"{role} on {page}"
        for node in _nodes(at):
            for source in _markdown_sources(node):
                if source.startswith(_OUR_HTML):
                    seen.append(html.unescape(_check_our_html(source, f"{role} on {page}")))
                    continue
                seen.append(source)
                assert not _LIVE_LINK.search(source), (
                    f"{role} on {page}: {getattr(node, 'type', node)}: {source[:160]}"
                )
        for spec in _plotly_specs(at):
            assert "<b>b</b>" not in spec and "<img" not in spec, (
                f"{role} on {page}: a chart's hover holds markup"
            )
    shown = " ".join(seen)
    for planted in ("Objective", "Uptime", "Meaning"):  # the payloads were on screen, escaped
        assert f"{planted} \\[x\\]" in shown or f"{planted} {MARKDOWN}" in shown, planted
    assert f"Uptime {MARKDOWN}" in shown  # a tile's name, as typed
