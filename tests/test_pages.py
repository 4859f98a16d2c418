"""AppTest: every page renders without an exception and shows real numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apptest import PAGES, app_as


def _app(page: str | None = None):  # type: ignore[no-untyped-def]
    return app_as(None, page)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page: str, demo_db: Path) -> None:
    at = _app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, f"{page} has no title"


def test_board_shows_every_agreed_metric_with_a_status(demo_db: Path) -> None:
    at = _app()
    labels = [m.label for m in at.metric]
    assert "Site uptime" in labels and "Conversion rate" in labels
    assert len(labels) >= 20
    assert all(m.value != "—" for m in at.metric)
    assert any("on target" in c.value for c in at.caption)


def test_board_on_an_empty_database_says_so(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_DEMO", "0")
    at = _app()
    assert not at.exception
    assert at.metric and all(m.value == "—" for m in at.metric)
    captions = [c.value for c in at.caption]
    assert any(f"{len(at.metric)} without data" in c for c in captions)
    assert any("no data yet" in c for c in captions)
