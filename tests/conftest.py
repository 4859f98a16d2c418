"""Shared fixtures: real DuckDB files in tmp_path, a fixed 'today' for deterministic demo data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics import store
from metrics.seed import first_start as seed

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test gets its own database path and a fixed today; nothing touches data/."""
    monkeypatch.setenv("SCORECARD_DB", str(tmp_path / "scorecard.duckdb"))
    monkeypatch.setenv("SCORECARD_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SCORECARD_LOCK_TIMEOUT", "5")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "scorecard.duckdb"


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed + demo once per session; tests copy the file (initialising takes ~1 s)."""
    import os

    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    old = os.environ.get("SCORECARD_TODAY")
    os.environ["SCORECARD_TODAY"] = TODAY.isoformat()
    try:
        seed.initialise(path, demo_data=True)
    finally:
        if old is None:
            os.environ.pop("SCORECARD_TODAY", None)
        else:
            os.environ["SCORECARD_TODAY"] = old
    return path


@pytest.fixture
def demo_db(db_path: Path, _demo_template: Path) -> Path:
    """A seeded database with the demo values, private to this test."""
    db_path.write_bytes(_demo_template.read_bytes())
    return db_path


@pytest.fixture
def con(demo_db: Path) -> Iterator[store.Connection]:
    with store.connect(demo_db) as connection:
        yield connection
