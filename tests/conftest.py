"""Shared fixtures: real DuckDB files in tmp_path, a fixed 'today' for deterministic demo data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pytest

from metrics import lake, store
from metrics.seed import first_start as seed
from tests import services

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


# ---------------------------------------------------------------- the DuckLake store
#
# Each test worker starts its own PostgreSQL (Debian's, as its own user, on a free port) and S3
# emulator (moto_server) once. The demo is seeded once into a template catalog; each test gets a
# catalog database copied from it (CREATE DATABASE ... TEMPLATE, ~0.1 s). The copies share the
# template's data files in the emulator: DuckLake names every new file uniquely and deletes none
# but in maintenance, which its own test runs on a lake of its own.

STORES = ("file", "ducklake")


@pytest.fixture(scope="session")
def lake_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.Services]:
    folder = tmp_path_factory.mktemp("services")
    running = services.up(folder, in_memory=True)
    try:
        yield running
    finally:
        lake.forget()
        services.down(folder)


def _use_lake(monkeypatch: pytest.MonkeyPatch, running: services.Services, dbname: str, prefix: str) -> None:
    for name, value in running.settings(dbname, prefix).items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def _lake_template(lake_services: services.Services) -> str:
    """The demo, seeded once into a catalog database that tests copy."""
    import os

    saved = dict(os.environ)
    os.environ.update(
        {**lake_services.settings("demo_template", "demo"), "SCORECARD_TODAY": TODAY.isoformat()}
    )
    try:
        lake_services.create_database("demo_template")
        seed.initialise(demo_data=True)
    finally:
        lake.forget()
        os.environ.clear()
        os.environ.update(saved)
    return "demo_template"


_copies = iter(range(1_000_000))


@pytest.fixture
def lake_demo(
    lake_services: services.Services, _lake_template: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A lake with the demo, private to this test (its catalog copied from the template);
    SCORECARD_STORE=ducklake points every store.connect at it."""
    name = f"t{next(_copies)}"
    lake_services.create_database(name, template=_lake_template)
    _use_lake(monkeypatch, lake_services, name, "demo")
    try:
        yield name
    finally:
        lake.forget()


@pytest.fixture
def lake_empty(lake_services: services.Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty lake of its own (its own catalog and data folder in the emulator)."""
    name = f"e{next(_copies)}"
    lake_services.create_database(name)
    _use_lake(monkeypatch, lake_services, name, name)
    try:
        yield name
    finally:
        lake.forget()


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    """Run a test on both stores: the embedded file and the lake."""
    return str(request.param)


def file_all_lake_some(
    cases: Iterable[Sequence[object]], on_lake: Callable[[Sequence[object]], bool]
) -> list[object]:
    """Parameters ``store_kind, *case`` for a role table: every case on the file store, and on the
    lake the cases ``on_lake`` picks. A role is refused or allowed before the store is touched, the
    same code on both stores, so the lake needs each write once refused and once allowed, not
    once per role (a lake test costs about a second; the tables have hundreds of rows)."""
    chosen = [tuple(case) for case in cases]
    ids = ["-".join(str(part) for part in case) for case in chosen]
    params: list[object] = [
        pytest.param("file", *case, id=f"file-{name}") for case, name in zip(chosen, ids, strict=True)
    ]
    params += [
        pytest.param("ducklake", *case, id=f"ducklake-{name}")
        for case, name in zip(chosen, ids, strict=True)
        if on_lake(case)
    ]
    return params


def first_of_each(key: Callable[[Sequence[object]], object]) -> Callable[[Sequence[object]], bool]:
    """An ``on_lake`` choice: the first case for each value of ``key`` (e.g. each write)."""
    seen: set[object] = set()

    def first(case: Sequence[object]) -> bool:
        if key(case) in seen:
            return False
        seen.add(key(case))
        return True

    return first


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on the lake ``lake`` (so ``-m "not lake"`` leaves them out)."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("store_kind") == "ducklake" or {"lake_demo", "lake_empty", "lake_services"} & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.lake)


@pytest.fixture
def con(store_kind: str, request: pytest.FixtureRequest) -> Iterator[store.Connection]:
    """A connection to a store holding the demo, private to this test: on the file store and on
    the lake (the same test runs on each)."""
    if store_kind == "ducklake":
        request.getfixturevalue("lake_demo")
        with store.connect() as connection:
            yield connection
        return
    with store.connect(request.getfixturevalue("demo_db")) as connection:
        yield connection
