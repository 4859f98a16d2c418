"""The store on real DuckDB files: migrations, refusals, locking, transactions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from metrics import store
from metrics.errors import DatabaseBusy, DatabaseTooNew, DatabaseUnreadable


def test_new_file_is_created_with_missing_directory_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "scorecard.duckdb"
    with store.connect(path) as con:
        assert store.schema_version(con) == store.LATEST_VERSION
        counts = store.table_counts(con)
    assert path.exists()
    assert {"people", "metric_versions", "signatures", "uploads", "observations", "audit_log"} <= set(counts)


def test_older_file_is_migrated_on_open(db_path: Path) -> None:
    with store.connect(db_path) as con:
        con.execute("INSERT INTO teams VALUES ('ops', 'Operations')")
    newer = (
        *store.MIGRATIONS,
        store.Migration(
            store.LATEST_VERSION + 1,
            "test column",
            ("ALTER TABLE teams ADD COLUMN colour VARCHAR DEFAULT 'blue'",),
        ),
    )
    with store.connect(db_path, migrations=newer) as con:
        assert store.schema_version(con) == store.LATEST_VERSION + 1
        assert con.execute("SELECT team_id, colour FROM teams").fetchall() == [("ops", "blue")]
        versions = [
            r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        ]
    assert versions == [m.version for m in store.MIGRATIONS] + [store.LATEST_VERSION + 1]


def test_failed_migration_leaves_the_file_at_its_old_version(db_path: Path) -> None:
    with store.connect(db_path):
        pass
    broken = (
        *store.MIGRATIONS,
        store.Migration(
            store.LATEST_VERSION + 1,
            "broken",
            (
                "CREATE TABLE half_done (x INTEGER)",
                "THIS IS NOT SQL",
            ),
        ),
    )
    with pytest.raises(duckdb.Error), store.connect(db_path, migrations=broken):
        pass
    with store.connect(db_path) as con:
        assert store.schema_version(con) == store.LATEST_VERSION
        assert "half_done" not in store.table_counts(con)


def test_file_from_a_newer_version_is_refused(db_path: Path) -> None:
    with store.connect(db_path) as con:
        con.execute("INSERT INTO schema_version VALUES (?, now())", [store.LATEST_VERSION + 5])
    with pytest.raises(DatabaseTooNew, match="newer Shared Scorecard"), store.connect(db_path):
        pass


@pytest.mark.parametrize("content", [b"name,value\nsessions,10\n" * 50, b"\x00" * 10])
def test_a_file_that_is_not_duckdb_is_refused_and_left_untouched(db_path: Path, content: bytes) -> None:
    db_path.write_bytes(content)
    with pytest.raises(DatabaseUnreadable, match="left untouched"), store.connect(db_path):
        pass
    assert db_path.read_bytes() == content


def test_a_truncated_database_is_refused_and_left_untouched(db_path: Path, demo_db: Path) -> None:
    truncated = demo_db.read_bytes()[:20_000]
    demo_db.write_bytes(truncated)
    with pytest.raises(DatabaseUnreadable), store.connect(demo_db) as con:
        con.execute("SELECT count(*) FROM observations").fetchall()
    assert demo_db.read_bytes() == truncated


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    script = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("locked", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    return process


def test_lock_held_by_another_process_gives_database_busy_after_bounded_wait(db_path: Path) -> None:
    with store.connect(db_path):
        pass
    holder = _hold_lock(db_path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="busy"), store.connect(db_path, timeout=0.6):
            pass
        waited = time.monotonic() - started
        assert 0.3 <= waited < 5
    finally:
        holder.kill()
        holder.wait()


def test_lock_released_within_the_timeout_is_waited_for(db_path: Path) -> None:
    with store.connect(db_path):
        pass
    holder = _hold_lock(db_path, 0.8)
    try:
        with store.connect(db_path, timeout=10) as con:
            assert store.schema_version(con) == store.LATEST_VERSION
    finally:
        holder.wait()


ROOT = Path(__file__).resolve().parent.parent


def _in_line(path: Path, work: str, *, read_only: bool = False) -> subprocess.Popen[str]:
    """A process that says "asking", waits its turn for the database through store.connect,
    does ``work`` with ``con``, and holds the file until a line arrives on its input."""
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from metrics import store
        print("asking", flush=True)
        with store.connect(Path({str(path)!r}), timeout=60, read_only={read_only}) as con:
            {work}
            print("in", flush=True)
            sys.stdin.readline()
    """)
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "asking"
    return process


def _release(process: subprocess.Popen[str]) -> str:
    out, _ = process.communicate("go\n", timeout=60)
    assert process.returncode == 0
    return out


def test_a_waiting_writer_goes_before_readers_that_asked_after_it(db_path: Path) -> None:
    """The database's queue is kept in order: a reader arriving while a writer waits
    reads after the write, however the two happen to retry."""
    with store.connect(db_path):
        pass
    holder = _in_line(db_path, "pass")
    assert holder.stdout is not None and holder.stdout.readline().strip() == "in"
    writer = _in_line(db_path, "con.execute(\"INSERT INTO teams VALUES ('ops', 'Operations')\")")
    time.sleep(0.5)  # the writer is in line
    readers = [
        _in_line(db_path, "print('teams', con.execute('SELECT count(*) FROM teams').fetchone()[0])")
        for _ in range(3)
    ]
    time.sleep(0.5)
    _release(holder)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "in"
    _release(writer)
    seen = [_release(reader) for reader in readers]
    assert all("teams 1" in out for out in seen), seen


def test_readers_share_the_file_across_processes(db_path: Path) -> None:
    with store.connect(db_path) as con:
        con.execute("INSERT INTO teams VALUES ('ops', 'Operations')")
    first = _in_line(db_path, "pass", read_only=True)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "in"
        # a second reader gets in while the first still reads; a writer would wait
        with store.connect(db_path, timeout=2, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM teams").fetchone() == (1,)
        with pytest.raises(DatabaseBusy), store.connect(db_path, timeout=0.5):
            pass
    finally:
        _release(first)
    with store.connect(db_path, timeout=2) as con:  # the writer who gave up left no lock behind
        con.execute("INSERT INTO teams VALUES ('mkt', 'Marketing')")


def test_within_one_process_a_reader_reads_through_an_open_writer_and_a_writer_waits_for_readers(
    db_path: Path,
) -> None:
    with store.connect(db_path) as writing:
        writing.execute("INSERT INTO teams VALUES ('ops', 'Operations')")
        with store.connect(db_path, timeout=2, read_only=True) as reading:
            assert reading.execute("SELECT count(*) FROM teams").fetchone() == (1,)
    done = threading.Event()

    def read_for_a_while() -> None:
        with store.connect(db_path, read_only=True) as con:
            con.execute("SELECT count(*) FROM teams").fetchall()
            done.set()
            time.sleep(0.5)

    reader = threading.Thread(target=read_for_a_while)
    reader.start()
    assert done.wait(10)
    with store.connect(db_path, timeout=10) as con:  # waits for the reader, then writes
        con.execute("INSERT INTO teams VALUES ('mkt', 'Marketing')")
    reader.join()
    with store.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM teams").fetchone() == (2,)


def test_a_reader_of_an_old_file_brings_it_up_to_date_first(db_path: Path) -> None:
    with store.connect(db_path, migrations=store.MIGRATIONS[:1]):
        pass
    with store.connect(db_path, read_only=True) as con:
        assert store.schema_version(con) == store.LATEST_VERSION
    fresh = db_path.with_name("new.duckdb")
    with store.connect(fresh, read_only=True) as con:  # no file yet: made, then read
        assert store.schema_version(con) == store.LATEST_VERSION


def test_transaction_is_all_or_nothing(db_path: Path) -> None:
    with store.connect(db_path) as con:
        with pytest.raises(RuntimeError), store.transaction(con):
            con.execute("INSERT INTO teams VALUES ('a', 'A')")
            raise RuntimeError("boom")
        assert store.table_counts(con)["teams"] == 0
        with store.transaction(con):
            con.execute("INSERT INTO teams VALUES ('a', 'A')")
        assert store.table_counts(con)["teams"] == 1


def test_fingerprint_changes_on_write_not_on_read(db_path: Path) -> None:
    with store.connect(db_path):
        pass
    before = store.data_fingerprint(db_path)
    with store.connect(db_path) as con:
        con.execute("SELECT * FROM teams").fetchall()
    assert store.data_fingerprint(db_path) == before
    time.sleep(0.01)
    with store.connect(db_path) as con:
        con.execute("INSERT INTO teams VALUES ('a', 'A')")
    assert store.data_fingerprint(db_path) != before


def test_connection_is_released_after_use(db_path: Path) -> None:
    """No connection outlives its block: another process can open the file right after."""
    with store.connect(db_path):
        pass
    result = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db_path)!r}).close()"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_many_threads_can_open_the_same_file_at_once(db_path: Path) -> None:
    """The dashboard serves several sessions in threads of one process; they may all
    open the (closed) file at the same instant."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    with store.connect(db_path):
        pass
    workers = 4
    barrier = threading.Barrier(workers)

    def read(_: int) -> int:
        barrier.wait()
        with store.connect(db_path) as con:
            row = con.execute("SELECT count(*) FROM teams").fetchone()
            return int(row[0]) if row else -1

    for _ in range(60):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            assert list(pool.map(read, range(workers))) == [0] * workers


def test_a_migration_filled_into_a_reserved_gap_is_still_applied(db_path: Path) -> None:
    """Features reserve version numbers; a file already past a gap still gets it later."""
    spare = max(store.LATEST_VERSION, 10) + 10
    later = (*store.MIGRATIONS, store.Migration(spare + 2, "later", ("CREATE TABLE later_one (x INTEGER)",)))
    with store.connect(db_path, migrations=later):
        pass
    filled = (*later, store.Migration(spare + 1, "filled gap", ("CREATE TABLE gap_one (x INTEGER)",)))
    with store.connect(db_path, migrations=filled) as con:
        assert {"later_one", "gap_one"} <= set(store.table_counts(con))
        assert {spare + 1, spare + 2} <= store.applied_versions(con)
