"""The DuckLake store: what only it has to prove (the shared suite runs on it too, through ``con``).

Real parts: Debian's PostgreSQL as the catalog and moto's S3 emulator for the data files,
started once per test worker (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import access, config, lake, store
from metrics.board import view as board
from metrics.catalog import proposals
from metrics.errors import BadSetting, InputRejected, StoreUnavailable
from metrics.seed import first_start as seed
from metrics.uploads import ingest
from tests import services
from tests.apptest import app_as, cards
from tests.conftest import TODAY
from tests.services import Services

pytestmark = pytest.mark.lake
ROOT = Path(__file__).resolve().parent.parent


def _tile_values(con: store.Connection, as_of: dt.date | None = None) -> dict[str, float | None]:
    return {t.definition.id: t.latest for t in board.view(con, TODAY, as_of=as_of).tiles}


def test_the_lake_holds_the_demo_as_the_file_does(lake_demo: str, demo_db: Path) -> None:
    os.environ["SCORECARD_STORE"] = "file"
    try:
        with store.connect(demo_db) as con:
            file_values, file_counts = _tile_values(con), store.table_counts(con)
    finally:
        os.environ["SCORECARD_STORE"] = "ducklake"
    with store.connect() as con:
        assert store.on_lake(con)
        lake_values, lake_counts = _tile_values(con), store.table_counts(con)
    assert lake_values == file_values and len(lake_values) == 24
    del lake_counts["id_counters"]  # the lake's stand-in for sequences
    assert lake_counts == file_counts


def test_maintenance_merges_and_expires_without_changing_a_number(lake_empty: str) -> None:
    # A lake of its own (not a copy sharing the template's files): maintenance deletes files.
    seed.initialise(demo_data=True)
    uma = "uma.upload@example.com"
    with store.connect() as con:
        person = access.require_person(con, uma)
    for week in range(6):  # six small uploads: six small files (or inlined rows)
        day = dt.date(2026, 11, 16) - dt.timedelta(weeks=week)
        body = f"metric_id,period_start,value\nsessions,{day.isoformat()},{250_000 + week}\n".encode()
        result = ingest.ingest(body, f"sessions-{week}.csv", person, source="cli")
        assert result.outcome == "accepted", result
    with store.connect() as con:
        before, earlier = _tile_values(con), _tile_values(con, as_of=dt.date(2026, 11, 1))
        count = store.table_counts(con)["observations"]
        done = lake.maintain(con, keep_days=0)
    assert done.snapshots_after < done.snapshots_before  # old snapshots expired
    with store.connect(read_only=True) as con:
        assert _tile_values(con) == before
        assert _tile_values(con, as_of=dt.date(2026, 11, 1)) == earlier  # as-of views unchanged
        assert store.table_counts(con)["observations"] == count
    command = subprocess.run(
        [sys.executable, "-m", "metrics", "maintain", "--keep-days", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert command.returncode == 0, command.stderr
    assert "Data files:" in command.stdout and "Snapshots kept:" in command.stdout


def _sign_in_another_process(done: multiprocessing.Queue[str]) -> None:
    """A second process (another replica) signs the same version for the same side."""
    try:
        with store.connect() as con:
            dana = access.require_person(con, "dana.it@example.com")
            v = proposals.history(con, "conversion_rate").version(2)
            proposals.sign(con, dana, "conversion_rate", 2, "it", content_hash=v.content_hash)
        done.put("signed")
    except InputRejected as exc:
        done.put(f"refused: {exc.message}")
    except Exception as exc:  # anything else is the test's failure, said in its message
        done.put(f"failed: {type(exc).__name__}: {exc}")
        raise


def test_one_signature_per_side_and_version_holds_across_processes(
    lake_demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORECARD_LOCK_TIMEOUT", "120")  # four processes in turn on a busy machine
    with store.connect() as con:
        priya = access.require_person(con, "priya.cio@example.com")
        proposals.propose_change(con, priya, "conversion_rate", {"target": 3.5}, comment="stretch")
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[str] = context.Queue()
    signers = [context.Process(target=_sign_in_another_process, args=(results,)) for _ in range(4)]
    for process in signers:
        process.start()
    outcomes = sorted(results.get(timeout=300) for _ in signers)
    for process in signers:
        process.join(timeout=60)
    assert outcomes.count("signed") == 1, outcomes
    with store.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT count(*) FROM signatures WHERE metric_id = 'conversion_rate' AND version = 2 AND side = 'it'"
        ).fetchone()
    assert rows == (1,)


def test_upload_numbers_stay_unique_across_concurrent_writers(
    lake_demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORECARD_LOCK_TIMEOUT", "120")  # three writers in turn on a busy machine
    script = (
        "from metrics import access, store\n"
        "from metrics.uploads import ingest\n"
        "import sys\n"
        "with store.connect() as con:\n"
        "    uma = access.require_person(con, 'uma.upload@example.com')\n"
        "for n in range(5):\n"
        "    body = f'metric_id,period_start,value\\nsessions,2026-11-16,{250_000 + int(sys.argv[1]) * 10 + n}\\n'.encode()\n"
        "    result = ingest.ingest(body, f'w{sys.argv[1]}-{n}.csv', uma, source='cli')\n"
        "    assert result.outcome == 'accepted', result\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(w)], cwd=ROOT, env=dict(os.environ))
        for w in range(3)
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0, 0]
    with store.connect(read_only=True) as con:
        ids = [
            r[0] for r in con.execute("SELECT upload_id FROM uploads WHERE file_name LIKE 'w%'").fetchall()
        ]
        stored = con.execute(
            "SELECT count(*), count(DISTINCT upload_id) FROM observations WHERE upload_id IN "
            "(SELECT upload_id FROM uploads WHERE file_name LIKE 'w%')"
        ).fetchone()
    assert len(ids) == 15 and len(set(ids)) == 15  # every upload stored once, each its own number
    assert stored == (15, 15)  # and each one's row, exactly once


def test_a_password_in_the_catalog_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_STORE", "ducklake")
    monkeypatch.setenv("SCORECARD_LAKE_CATALOG", "host=db dbname=scorecard user=x password=hunter2")
    monkeypatch.setenv("SCORECARD_LAKE_DATA", "s3://b/p/")
    with pytest.raises(BadSetting) as caught:
        config.check_all()
    assert "SCORECARD_LAKE_CATALOG" in caught.value.message and "without a password" in caught.value.message


def test_an_unreachable_catalog_says_store_unavailable(
    lake_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in lake_services.settings("scorecard", "x").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SCORECARD_LAKE_CATALOG", "host=127.0.0.1 port=9 dbname=scorecard user=scorecard")
    try:
        with pytest.raises(StoreUnavailable), store.connect(read_only=True):
            pass
    finally:
        lake.forget()


def test_the_app_says_store_unavailable_and_recovers_when_postgres_is_back(
    lake_demo: str, lake_services: Services
) -> None:
    at = app_as("bea.board@example.com")
    assert len(cards(at)) >= 11 and not at.exception
    services.stop_postgres(lake_services)
    try:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [e.value.split(".")[0] for e in at.error] == ["**Store unavailable"], [
            e.value for e in at.error
        ]
        assert not cards(at)
    finally:
        services.start_postgres(lake_services)
    at.run()  # the same server process, no restart: the board is back
    assert not at.exception and not at.error
    assert len(cards(at)) >= 11


def test_catalog_sessions_are_kept_for_the_next_read_and_renewed_after_a_restart(
    lake_demo: str, lake_services: Services
) -> None:
    sessions = lake.lake().sessions
    first = sessions.take()
    pid = first.info.backend_pid
    sessions.give_back(first)
    again = sessions.take()
    assert again.info.backend_pid == pid  # no new server process for the next read
    sessions.give_back(again)
    services.restart_postgres(lake_services)
    renewed = sessions.take()  # the kept session died with the server: another is opened
    assert renewed.info.backend_pid != pid
    assert renewed.execute("SELECT 1").fetchone() == (1,)
    sessions.give_back(renewed)


def test_a_session_holding_a_transaction_is_not_kept(lake_demo: str) -> None:
    sessions = lake.lake().sessions
    busy = sessions.take()
    busy.execute("BEGIN")
    sessions.give_back(busy)
    assert busy.closed  # closing it ends the transaction; nobody else inherits it


def test_a_write_open_across_a_catalog_restart_is_refused_whole(
    lake_demo: str, lake_services: Services
) -> None:
    with store.connect(read_only=True) as con:
        before = store.table_counts(con)
    with pytest.raises(StoreUnavailable), store.connect() as con, store.transaction(con):
        con.execute(
            "INSERT INTO metric_notes VALUES ('sessions', DATE '2026-11-16', 'written across a restart', 'x', TIMESTAMP '2026-11-20 09:00')"
        )
        services.restart_postgres(lake_services)
    with store.connect(read_only=True) as con:  # the next unit of work attaches again by itself
        assert store.table_counts(con) == before  # nothing of it, in any table
    with store.connect() as con, store.transaction(con):  # and the next writer gets its turn
        con.execute(
            "INSERT INTO metric_notes VALUES ('sessions', DATE '2026-11-16', 'after the restart', 'x', TIMESTAMP '2026-11-20 09:00')"
        )
    with store.connect(read_only=True) as con:
        assert store.table_counts(con)["metric_notes"] == before["metric_notes"] + 1
