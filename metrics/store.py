"""DuckDB: opening the file, schema migrations, transactions.

No connection lives longer than one unit of work. DuckDB lets one process at a
time hold a file open for writing, so the dashboard opens, reads and closes; the
command line can then take its turn.

Taking turns is a queue the operating system keeps: before opening the file a
process waits, in the kernel, for an exclusive lock on a small file beside it
(``<database>.queue``) and holds it only until DuckDB has let it in. Whoever
holds the queue lock is next; everyone who arrives later waits behind it, so a
writer is never overtaken by a stream of board readers arriving after it (with
polling alone, a reader that happened to retry first won each time: a 5-row
upload once waited 13.9 s). The wait is bounded: after the lock timeout the
person reads "database busy". A process killed while waiting or working drops
its lock with it, so nothing stays stuck.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics import clock, config
from metrics.errors import BadSetting, DatabaseBusy, DatabaseTooNew, DatabaseUnreadable

log = logging.getLogger(__name__)

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "people, catalog versions and signatures, glossary, uploads, observations, audit log",
        (
            """CREATE TABLE teams (
                team_id VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL)""",
            """CREATE TABLE people (
                email VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL,
                team VARCHAR,
                roles VARCHAR[] NOT NULL,
                active BOOLEAN NOT NULL DEFAULT TRUE,
                added_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
            """CREATE TABLE metric_versions (
                metric_id VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                kind VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                description VARCHAR NOT NULL,
                calculation VARCHAR NOT NULL,
                unit VARCHAR NOT NULL,
                unit_label VARCHAR NOT NULL,
                direction VARCHAR NOT NULL,
                area VARCHAR NOT NULL,
                cadence VARCHAR NOT NULL,
                it_owner VARCHAR NOT NULL,
                marketing_owner VARCHAR NOT NULL,
                target DOUBLE NOT NULL,
                amber DOUBLE NOT NULL,
                red DOUBLE NOT NULL,
                min_value DOUBLE,
                max_value DOUBLE,
                data_source VARCHAR NOT NULL,
                supplied_by VARCHAR NOT NULL,
                revisit DATE NOT NULL,
                content_hash VARCHAR NOT NULL,
                proposed_by VARCHAR NOT NULL,
                proposed_at TIMESTAMP NOT NULL,
                comment VARCHAR,
                PRIMARY KEY (metric_id, version))""",
            """CREATE TABLE signatures (
                metric_id VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                side VARCHAR NOT NULL,
                signer VARCHAR NOT NULL,
                decision VARCHAR NOT NULL,
                content_hash VARCHAR NOT NULL,
                comment VARCHAR,
                signed_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE glossary (
                term VARCHAR PRIMARY KEY,
                meaning VARCHAR NOT NULL,
                updated_by VARCHAR NOT NULL,
                updated_at TIMESTAMP NOT NULL)""",
            "CREATE SEQUENCE upload_ids START 1",
            """CREATE TABLE uploads (
                upload_id BIGINT PRIMARY KEY DEFAULT nextval('upload_ids'),
                sha256 VARCHAR NOT NULL,
                file_name VARCHAR NOT NULL,
                uploaded_by VARCHAR NOT NULL,
                uploaded_at TIMESTAMP NOT NULL,
                source VARCHAR NOT NULL,
                row_count BIGINT,
                outcome VARCHAR NOT NULL,
                error_counts JSON,
                original BLOB,
                retracted_at TIMESTAMP,
                retracted_by VARCHAR)""",
            """CREATE TABLE observations (
                metric_id VARCHAR NOT NULL,
                period_start DATE NOT NULL,
                segment VARCHAR NOT NULL DEFAULT '',
                value DOUBLE NOT NULL,
                note VARCHAR,
                upload_id BIGINT NOT NULL,
                recorded_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE audit_log (
                logged_at TIMESTAMP NOT NULL,
                actor VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                subject VARCHAR,
                detail JSON)""",
        ),
    ),
    Migration(
        3,
        "comments on metric definitions and their versions",
        (
            # Discussion beside the sign-off: who said what about which version.
            # Never updated or deleted; version NULL = about the metric as a whole.
            """CREATE TABLE definition_comments (
                metric_id VARCHAR NOT NULL,
                version INTEGER,
                author VARCHAR NOT NULL,
                body VARCHAR NOT NULL,
                written_at TIMESTAMP NOT NULL)""",
        ),
    ),
    Migration(
        4,
        "board: shared timeline of events, owners' notes per metric and period, frozen board packs",
        (
            # Incidents, releases and campaigns drawn on the charts. Removing one keeps the row.
            "CREATE SEQUENCE event_ids START 1",
            """CREATE TABLE events (
                event_id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
                day DATE NOT NULL,
                kind VARCHAR NOT NULL,
                title VARCHAR NOT NULL,
                metric_ids VARCHAR[] NOT NULL,
                source VARCHAR NOT NULL,
                added_by VARCHAR NOT NULL,
                added_at TIMESTAMP NOT NULL,
                removed_at TIMESTAMP,
                removed_by VARCHAR)""",
            # "Why did this move?": the newest note per (metric, period) is shown; older ones stay.
            """CREATE TABLE metric_notes (
                metric_id VARCHAR NOT NULL,
                period_start DATE NOT NULL,
                body VARCHAR NOT NULL,
                author VARCHAR NOT NULL,
                written_at TIMESTAMP NOT NULL)""",
            # A frozen pack's bytes never change: one row per (period, format), never updated.
            "CREATE SEQUENCE pack_ids START 1",
            """CREATE TABLE board_packs (
                pack_id BIGINT PRIMARY KEY DEFAULT nextval('pack_ids'),
                period VARCHAR NOT NULL,
                format VARCHAR NOT NULL,
                as_of DATE NOT NULL,
                file_name VARCHAR NOT NULL,
                sha256 VARCHAR NOT NULL,
                content BLOB NOT NULL,
                frozen_by VARCHAR NOT NULL,
                frozen_at TIMESTAMP NOT NULL,
                UNIQUE (period, format))""",
        ),
    ),
    Migration(
        6,
        "shared OKRs: objectives and key results by revision, acceptances, check-ins, wins, weekly briefs",
        (
            # An edit adds a revision (like a definition's version); acceptances name the
            # revision and its content hash, so an edit needs both owners' acceptance again.
            "CREATE SEQUENCE objective_ids START 1",
            """CREATE TABLE objectives (
                objective_id BIGINT NOT NULL,
                revision INTEGER NOT NULL,
                title VARCHAR NOT NULL,
                period VARCHAR NOT NULL,
                it_owner VARCHAR NOT NULL,
                marketing_owner VARCHAR NOT NULL,
                withdrawn BOOLEAN NOT NULL,
                content_hash VARCHAR NOT NULL,
                saved_by VARCHAR NOT NULL,
                saved_at TIMESTAMP NOT NULL,
                PRIMARY KEY (objective_id, revision))""",
            """CREATE TABLE key_results (
                objective_id BIGINT NOT NULL,
                revision INTEGER NOT NULL,
                position INTEGER NOT NULL,
                metric_id VARCHAR NOT NULL,
                baseline DOUBLE NOT NULL,
                target DOUBLE NOT NULL,
                due DATE NOT NULL,
                PRIMARY KEY (objective_id, revision, position))""",
            """CREATE TABLE objective_acceptances (
                objective_id BIGINT NOT NULL,
                revision INTEGER NOT NULL,
                side VARCHAR NOT NULL,
                person VARCHAR NOT NULL,
                content_hash VARCHAR NOT NULL,
                accepted_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE check_ins (
                objective_id BIGINT NOT NULL,
                revision INTEGER NOT NULL,
                author VARCHAR NOT NULL,
                confidence INTEGER NOT NULL,
                note VARCHAR NOT NULL,
                checked_at TIMESTAMP NOT NULL)""",
            # A win, once recorded, stays celebrated even if a later restatement undoes it.
            """CREATE TABLE wins (
                win_key VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL,
                metric_id VARCHAR NOT NULL,
                objective_id BIGINT,
                period_start DATE NOT NULL,
                last_day DATE NOT NULL,
                headline VARCHAR NOT NULL,
                teams VARCHAR[] NOT NULL,
                people VARCHAR[] NOT NULL,
                recorded_by VARCHAR NOT NULL,
                recorded_at TIMESTAMP NOT NULL)""",
            # Every kept brief stays, as made: its Markdown and its PDF bytes.
            "CREATE SEQUENCE brief_ids START 1",
            """CREATE TABLE briefs (
                brief_id BIGINT PRIMARY KEY DEFAULT nextval('brief_ids'),
                week VARCHAR NOT NULL,
                markdown VARCHAR NOT NULL,
                pdf BLOB NOT NULL,
                made_by VARCHAR NOT NULL,
                made_at TIMESTAMP NOT NULL)""",
        ),
    ),
    Migration(
        7,
        "kept upload files are compressed: uploads.original_encoding",
        (
            # 'identity' = the bytes as uploaded (files kept before this version);
            # 'zstd' = compressed (see metrics.csv_file.pack). The sha256 is always of the original.
            "ALTER TABLE uploads ADD COLUMN original_encoding VARCHAR DEFAULT 'identity'",
        ),
    ),
)

# Versions only grow; a gap is allowed (features reserve their numbers), order is by version.
LATEST_VERSION = max(m.version for m in MIGRATIONS)

# DuckDB shares one database instance per file within a process; two threads opening
# the same file at the same moment can race ("Unique file handle conflict"), so opening
# is serialised (it takes milliseconds; the work on the connection is not).
_CONNECT_LOCK = threading.Lock()

_LOCK_MARKERS = ("could not set lock", "conflicting lock", "resource temporarily unavailable")


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in _LOCK_MARKERS)


def _make_folder(path: Path) -> None:
    """The database's folder, made when missing; a path that cannot hold a file is a bad setting."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise BadSetting(
            f"SCORECARD_DB={str(path)!r} is not allowed: part of its folder is a file, not a folder."
        ) from exc
    except OSError as exc:
        raise BadSetting(
            f"SCORECARD_DB={str(path)!r} is not allowed: its folder cannot be made ({exc.strerror})."
        ) from exc


class _Turn:
    """A place in a queue: an exclusive lock on a queue file beside the database.

    A helper thread blocks in the kernel for the lock (so processes are let in in the
    order they asked), while the caller waits with a deadline; one that gives up
    leaves the helper to release the lock the moment it gets it.
    """

    def __init__(self, queue_file: str) -> None:
        self._fd = os.open(queue_file, os.O_RDWR | os.O_CREAT, 0o666)
        self._granted = threading.Event()
        self._state = threading.Lock()
        self._abandoned = False

    def wait(self, deadline: float) -> bool:
        """True once this process is at the head of the queue; False at the deadline."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        threading.Thread(target=self._block, name="database-queue", daemon=True).start()
        # Poll the event instead of a timed wait: timed condition waits misbehave under a
        # faked clock, sleeps and the monotonic clock do not.
        while not self._granted.is_set():
            if time.monotonic() >= deadline:
                with self._state:
                    if self._granted.is_set():
                        return True
                    self._abandoned = True
                return False
            time.sleep(0.002)
        return True

    def _block(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        with self._state:
            if self._abandoned:
                os.close(self._fd)  # closing releases the lock for the next in line
                return
            self._granted.set()

    def leave(self) -> None:
        with self._state:
            if not self._abandoned:
                self._abandoned = True  # the helper, if any, has already been granted
                os.close(self._fd)


def _queue_turn(path: Path, lane: str = "") -> _Turn | None:
    """A place in the database's queue (or in a lane's, such as uploads'), or None where no
    file can be made beside it (a read-only folder): DuckDB's own lock still keeps
    processes apart, only the order is lost."""
    try:
        return _Turn(f"{path}.{lane}.queue" if lane else f"{path}.queue")
    except OSError as exc:
        log.warning("no queue file beside %s (%s); taking turns by retrying", path, exc.strerror)
        return None


def _open_with_retry(path: Path, timeout: float, deadline: float, read_only: bool = False) -> Connection:
    """Open ``path`` once this process's turn in the queue comes."""
    turn = _queue_turn(path)
    try:
        if turn is not None and not turn.wait(deadline):
            raise _busy(timeout, None)
        return _open_when_free(path, timeout, deadline, turn is not None, read_only)
    finally:
        if turn is not None:
            turn.leave()


def _busy(timeout: float, cause: Exception | None) -> DatabaseBusy:
    error = DatabaseBusy(
        f"The database is busy: another process is using it. Waited {timeout:g} s; please try again in a moment.",
    )
    error.__cause__ = cause
    return error


def _open_when_free(path: Path, timeout: float, deadline: float, queued: bool, read_only: bool) -> Connection:
    """Open ``path``, retrying while the process ahead still has it open. At the head of
    the queue that is one holder finishing, so the retry is quick; without a queue it
    backs off.

    Read-only openings share the file with each other, across processes. Within one
    process DuckDB keeps one copy of the file open in one mode: a reader then reads through
    the process's read-write copy, and a writer waits for the process's readers to finish."""
    delay = 0.005 if queued else 0.02
    while True:
        try:
            with _CONNECT_LOCK:
                return _open_in_process(path, read_only)
        except _SameFileOtherMode as exc:
            if time.monotonic() + delay > deadline:
                raise _busy(timeout, exc) from exc
            time.sleep(delay)
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc) and not path.exists():
                raise BadSetting(
                    f"SCORECARD_DB={str(path)!r} is not allowed: no database file can be created there "
                    "(the folder is not writable)."
                ) from exc
            if not _is_lock_conflict(exc):
                raise DatabaseUnreadable(
                    f"The file {path.name} exists but is not a readable Shared Scorecard "
                    "database (it may be truncated or another kind of file). It has been "
                    "left untouched; move it aside or point SCORECARD_DB at another file.",
                ) from exc
            if time.monotonic() + delay > deadline:
                raise _busy(timeout, exc) from exc
            log.info("database locked, retrying in %.3fs", delay)
            time.sleep(delay)
            if not queued:
                delay = min(delay * 2, 0.5)


class _SameFileOtherMode(Exception):
    """This process has the file open for writing while a reader asks, or the reverse."""


def _open_in_process(path: Path, read_only: bool) -> Connection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.ConnectionException as exc:
        if "different configuration" not in str(exc):
            raise
        if read_only:
            return duckdb.connect(str(path))  # read through this process's read-write copy
        raise _SameFileOtherMode(str(exc)) from exc


def applied_versions(con: Connection) -> set[int]:
    """Every migration recorded in the file; empty for a new, empty file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'main' AND table_name = 'schema_version'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return set()
    return {int(row[0]) for row in con.execute("SELECT version FROM schema_version").fetchall()}


def _lacks_migrations(con: Connection, migrations: Sequence[Migration]) -> bool:
    return bool({m.version for m in migrations} - applied_versions(con))


def schema_version(con: Connection) -> int:
    """The highest schema version recorded in the file; 0 for a new, empty file."""
    return max(applied_versions(con), default=0)


def migrate(con: Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply every migration the file lacks, in version order, in one transaction.

    Each applied version is recorded on its own row, so a version number that was
    reserved and filled in later is still applied to files that are already past it.
    A file with a version this app does not know is refused.
    """
    migrations = sorted(migrations, key=lambda m: m.version)
    known = {m.version for m in migrations}
    applied = applied_versions(con)
    unknown = sorted(applied - known)
    if unknown:
        raise DatabaseTooNew(
            f"This database was written by a newer Shared Scorecard (schema {max(unknown)}); "
            f"this version understands up to schema {migrations[-1].version}. Upgrade the app to open it.",
        )
    missing = [m for m in migrations if m.version not in applied]
    if not missing:
        return migrations[-1].version
    lake = on_lake(con)
    with transaction(con):
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        if lake:
            from metrics import lake as lake_store

            con.execute(lake_store.COUNTERS_TABLE)
        for migration in missing:
            for statement in migration.statements:
                if lake:
                    statement = lake_store.ddl(statement)
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                [migration.version, clock.now()],
            )
            log.info("migrated to schema %s: %s", migration.version, migration.summary)
    return migrations[-1].version


@contextmanager
def connect(
    path: Path | None = None,
    *,
    timeout: float | None = None,
    migrations: Sequence[Migration] = MIGRATIONS,
    lane: str = "",
    read_only: bool = False,
) -> Iterator[Connection]:
    """A short-lived, migrated connection; closed (and the file released) on exit.

    With a ``lane`` (uploads use "uploads") the process first waits in that lane's own queue
    and holds its place there until it is done, so at most one of them at a time stands in
    the database's queue: a board read waits behind one upload, not behind every upload
    queued, and uploads still go in the order they came, never overtaken by reads.

    ``read_only`` connections (the dashboard's reads) are open at the same time as each
    other, in any number of processes; nothing written through one would be kept.

    With ``SCORECARD_STORE=ducklake`` (and no ``path``) the unit of work runs on the lake
    instead (see ``metrics.lake``): a writer holds the writers' turn, a reader never waits."""
    if config.store_kind() == "ducklake":  # the path names the file store only
        with _lake_unit(read_only, timeout, migrations) as con:
            yield con
        return
    db_path = path or config.database_path()
    _make_folder(db_path)
    wait = config.lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + wait
    in_lane = _queue_turn(db_path, lane) if lane else None
    try:
        if in_lane is not None and not in_lane.wait(deadline):
            raise _busy(wait, None)
        con = _open_with_retry(db_path, wait, deadline, read_only and db_path.exists())
        try:
            if read_only and _lacks_migrations(con, migrations):
                con.close()  # only a read-write opening can bring the file up to date
                con = _open_with_retry(db_path, wait, deadline)
            migrate(con, migrations)
            yield con
        finally:
            con.close()
    finally:
        if in_lane is not None:
            in_lane.leave()


@contextmanager
def _lake_unit(
    read_only: bool, timeout: float | None, migrations: Sequence[Migration]
) -> Iterator[Connection]:
    from metrics import lake  # only loaded when the lake is the store

    wait = config.lock_timeout() if timeout is None else timeout
    the_lake = lake.lake()
    if not the_lake.migrated:
        with the_lake.lock, lake.unit_of_work(False, wait) as con:
            if not the_lake.migrated:
                migrate(con, migrations)
                the_lake.migrated = True
    with lake.unit_of_work(read_only, wait) as con:
        yield con


def _commit(con: Connection) -> None:
    """COMMIT; on the lake, a commit that lost to a concurrent one is undone whole and said."""
    try:
        con.execute("COMMIT")
    except duckdb.TransactionException as exc:
        from metrics import lake

        if not lake.is_conflict(exc):
            raise
        _rollback_quietly(con)
        raise DatabaseBusy(
            "Another change to the same records was saved at the same moment; nothing of this one "
            "was written. Try again."
        ) from exc


def _rollback_quietly(con: Connection) -> None:
    with contextlib.suppress(duckdb.Error):  # already ended by the failed commit
        con.execute("ROLLBACK")


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """All or nothing: commit when the block ends, roll back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _commit(con)


def commit_if(con: Connection, work: Callable[[], bool]) -> bool:
    """Run ``work`` in one transaction: commit when it returns True, roll back when it
    returns False or raises (a check that fails after writing undoes the writes)."""
    con.execute("BEGIN TRANSACTION")
    try:
        keep = work()
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if keep:
        _commit(con)
    else:
        con.execute("ROLLBACK")
    return keep


def on_lake(con: Connection) -> bool:
    """Whether this connection works on the lake (its current database is the attached lake)."""
    row = con.execute("SELECT current_database()").fetchone()
    return row is not None and row[0] == "lake"


def next_id(con: Connection, sequence: str) -> int:
    """The next number of one of the schema's sequences (upload_ids, event_ids, ...), inside
    the caller's transaction. On the lake, a counter row that writers take in turn."""
    if on_lake(con):
        from metrics import lake

        return lake.next_id(con, sequence)
    row = con.execute(f"SELECT nextval('{sequence}')").fetchone()  # names are the schema's own
    assert row is not None
    return int(row[0])


def upsert(
    con: Connection,
    table: str,
    key: dict[str, object],
    values: dict[str, object],
    inserted_only: dict[str, object] | None = None,
) -> None:
    """Update the row with this key, or insert it (with ``inserted_only`` columns too) when there
    is none: the same on both stores (the lake has no keys for ON CONFLICT). Table and column
    names are the schema's own, never a person's."""
    where = " AND ".join(f"{k} = ?" for k in key)
    assignments = ", ".join(f"{k} = ?" for k in values)
    row = con.execute(
        f"UPDATE {table} SET {assignments} WHERE {where}", [*values.values(), *key.values()]
    ).fetchone()
    if row and int(row[0]) > 0:
        return
    columns = {**key, **values, **(inserted_only or {})}
    con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        list(columns.values()),
    )


def data_fingerprint(path: Path | None = None) -> tuple[int, ...]:
    """Changes whenever the file's content changes, without opening it.

    DuckDB touches neither the file nor its write-ahead log on reads, so the
    dashboard can key its caches on this and skip the database on warm reruns.
    """
    if config.store_kind() == "ducklake":  # the path names the file store only
        from metrics import lake

        return lake.lake().fingerprint()
    db_path = path or config.database_path()
    parts: list[int] = []
    for candidate in (db_path, Path(f"{db_path}.wal")):
        try:
            stat = os.stat(candidate)
        except FileNotFoundError:
            parts.extend((0, 0))
        else:
            parts.extend((stat.st_mtime_ns, stat.st_size))
    return tuple(parts)


def table_counts(con: Connection) -> dict[str, int]:
    """Rows in every table, in one statement (on the lake each statement reads the catalog)."""
    names = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
            "AND table_schema = 'main' ORDER BY table_name"
        ).fetchall()
    ]
    if not names:
        return {}
    # Table names come from the catalog above, never from a person.
    counted = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in names)
    return {str(name): int(rows) for name, rows in con.execute(counted).fetchall()}


def audit(con: Connection, actor: str, action: str, subject: str | None, detail: str | None = None) -> None:
    con.execute(
        "INSERT INTO audit_log (logged_at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        [clock.now(), actor, action, subject, detail],
    )
