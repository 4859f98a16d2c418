"""The DuckLake store: the same tables in a lake whose catalog is a PostgreSQL database and whose
data files sit in S3-compatible object storage (or a folder every replica shares).

Chosen with ``SCORECARD_STORE=ducklake``; ``metrics.store`` is still the one door to the data,
and everything above it runs unchanged on either store.

- **Extensions come from installed packages** (``duckdb-extension-ducklake``, ``-postgres``,
  ``-httpfs``), copied once into a private extension folder: nothing is downloaded at run time.
- **One lake per process.** The lake is attached once to an in-memory DuckDB; each unit of work
  gets its own cursor (its own transaction, reading the newest snapshot when it begins).
- **Writers take turns** through a PostgreSQL advisory lock held for the writer's unit of work, by
  every process and replica alike. DuckLake has no primary keys or unique constraints and resolves
  concurrent commits optimistically; with writers in turn, a check-then-insert (one signature per
  side and version, one upload number, one frozen pack per period) cannot race. A commit that
  still loses a conflict (maintenance running beside it) is rolled back whole and reported as busy.
- **Readers never wait**: they read a snapshot, whatever is being written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import util as import_util
from pathlib import Path

import duckdb
import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg.rows import TupleRow

from metrics import clock, config
from metrics.config import LakeSettings
from metrics.errors import BadSetting, DatabaseBusy, StoreUnavailable

log = logging.getLogger(__name__)

ALIAS = "lake"
# name inside DuckDB -> the package that carries it
EXTENSIONS = {"ducklake": "ducklake", "postgres_scanner": "postgres", "httpfs": "httpfs"}
WRITER_LOCK_KEY = 7_220_001  # one advisory lock for every writer of this catalog
FINGERPRINT_SECONDS = 0.5  # how long a read of the newest snapshot id is reused in one process
# A new catalog session costs the server a process and an authentication: milliseconds when idle,
# seconds on a saturated machine. A refused connection (catalog down) fails at once either way.
CONNECT_SECONDS = 15
IDLE_SESSIONS_KEPT = 4  # open catalog sessions a process keeps for its next reads and writer turns


# ---------------------------------------------------------------- schema


_SEQUENCE = re.compile(r"^\s*CREATE SEQUENCE (\w+) START 1\s*$", re.IGNORECASE)
_STRIPPED = (
    re.compile(r",\s*PRIMARY KEY\s*\([^)]*\)", re.IGNORECASE),
    re.compile(r",\s*UNIQUE\s*\([^)]*\)", re.IGNORECASE),
    re.compile(r"\s+PRIMARY KEY\b", re.IGNORECASE),
    re.compile(r"\s+DEFAULT nextval\('\w+'\)", re.IGNORECASE),
)
COUNTERS_TABLE = "CREATE TABLE IF NOT EXISTS id_counters (name VARCHAR NOT NULL, last BIGINT NOT NULL)"


def ddl(statement: str) -> str:
    """A migration statement as DuckLake takes it: no primary keys, unique constraints or
    sequences. Uniqueness is kept by writers taking turns; a sequence becomes a row of
    ``id_counters`` (see ``next_id``)."""
    if found := _SEQUENCE.match(statement):
        return f"INSERT INTO id_counters (name, last) VALUES ('{found.group(1)}', 0)"
    for pattern in _STRIPPED:
        statement = pattern.sub("", statement)
    return statement


def next_id(con: duckdb.DuckDBPyConnection, counter: str) -> int:
    """The next number of a counter, inside the caller's (writer's) transaction."""
    con.execute("UPDATE id_counters SET last = last + 1 WHERE name = ?", [counter])
    row = con.execute("SELECT last FROM id_counters WHERE name = ?", [counter]).fetchone()
    if row is None:
        raise RuntimeError(f"no counter {counter!r} in the lake")
    return int(row[0])


# ---------------------------------------------------------------- extensions


def _extension_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"scorecard-duckdb-extensions-{duckdb.__version__}-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _packaged(package: str) -> Path:
    spec = import_util.find_spec(f"duckdb_extension_{package}")
    if spec is None or not spec.submodule_search_locations:
        raise BadSetting(
            f"SCORECARD_STORE=ducklake needs the duckdb-extension-{package} package "
            "(pip install -r requirements.txt)."
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "extensions" / f"v{duckdb.__version__}" / f"{package}.duckdb_extension"


def _load_extensions(db: duckdb.DuckDBPyConnection) -> None:
    installed = {
        str(r[0])
        for r in db.execute("SELECT extension_name FROM duckdb_extensions() WHERE installed").fetchall()
    }
    for name, package in EXTENSIONS.items():
        if name not in installed:
            db.execute(f"INSTALL '{_packaged(package)}'")  # a local file: copied, never downloaded
        db.execute(f"LOAD {name}")


# ---------------------------------------------------------------- the attached lake


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _catalog_parts(settings: LakeSettings) -> dict[str, str]:
    try:
        parts = {k: str(v) for k, v in pg_conninfo.conninfo_to_dict(settings.catalog).items()}
    except psycopg.ProgrammingError as exc:
        raise BadSetting(
            f"SCORECARD_LAKE_CATALOG={settings.catalog!r} is not libpq key=value pairs."
        ) from exc
    if settings.password:
        parts["password"] = settings.password
    return parts


def _secrets(db: duckdb.DuckDBPyConnection, settings: LakeSettings) -> None:
    """Credentials live in DuckDB secrets, in memory only: never in the attach address."""
    parts = _catalog_parts(settings)
    fields = {"host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD", "dbname": "DATABASE"}
    given = ", ".join(f"{fields[k]} {_quoted(v)}" for k, v in parts.items() if k in fields)
    db.execute(f"CREATE OR REPLACE SECRET __default_postgres (TYPE postgres, {given})")
    if settings.on_s3:
        s3 = [
            f"KEY_ID {_quoted(settings.s3_key_id)}",
            f"SECRET {_quoted(settings.s3_secret)}",
            f"REGION {_quoted(settings.s3_region)}",
            f"URL_STYLE {_quoted(settings.s3_url_style)}",
            f"USE_SSL {'true' if settings.s3_use_ssl else 'false'}",
        ]
        if settings.s3_endpoint:
            s3.append(f"ENDPOINT {_quoted(settings.s3_endpoint)}")
        db.execute(f"CREATE OR REPLACE SECRET scorecard_s3 (TYPE s3, {', '.join(s3)})")


PgSession = psycopg.Connection[TupleRow]


class CatalogSessions:
    """A few open PostgreSQL sessions to the catalog, reused by the process's fingerprint reads
    and writer turns instead of a new session for each. A kept session is checked before it is
    lent (the catalog may have restarted since); a broken one is dropped and another opened."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._idle: list[PgSession] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def take(self) -> PgSession:
        while True:
            with self._lock:
                if self._pid != os.getpid():  # a forked child: the parent's sessions are not its own
                    self._idle, self._pid = [], os.getpid()
                kept = self._idle.pop() if self._idle else None
            if kept is None:
                return psycopg.connect(self._conninfo, autocommit=True)
            try:
                kept.execute("SELECT 1")
                return kept
            except psycopg.Error:
                kept.close()

    def give_back(self, session: PgSession) -> None:
        """Keep a session that is whole and idle (holding nothing); close any other."""
        idle = not session.closed and session.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            if idle and len(self._idle) < IDLE_SESSIONS_KEPT:
                self._idle.append(session)
                return
        session.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for session in idle:
            session.close()


class Lake:
    """One process's attachment to the lake, shared by its threads (a cursor each)."""

    def __init__(self, settings: LakeSettings) -> None:
        self.settings = settings
        self.migrated = False
        self.lock = threading.Lock()
        self._fingerprint: tuple[float, tuple[int, ...]] | None = None
        self.sessions = CatalogSessions(self.conninfo())
        self.db = self._attach()

    def _attach(self) -> duckdb.DuckDBPyConnection:
        db = _engine()
        try:
            # A read from an object store that stops answering fails sooner than with DuckDB's
            # 30 s and 3 retries (a large write into a hung store still takes ~5 min: see README).
            db.execute(f"SET http_timeout = {self.settings.s3_timeout_seconds}")
            db.execute("SET http_retries = 2")
            _secrets(db, self.settings)
            if not self.settings.on_s3:
                Path(self.settings.data).mkdir(parents=True, exist_ok=True)
            dbname = _catalog_parts(self.settings).get("dbname", "")
            db.execute(
                f"ATTACH {_quoted('ducklake:postgres:dbname=' + dbname)} AS {ALIAS} "
                f"(DATA_PATH {_quoted(self.settings.data.rstrip('/') + '/')}, METADATA_SCHEMA 'public')"
            )
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):
                db.execute(f"DETACH DATABASE IF EXISTS {ALIAS}")
            raise unavailable(exc) from exc
        return db

    def cursor(self) -> duckdb.DuckDBPyConnection:
        con = self.db.cursor()
        con.execute(f"USE {ALIAS}")
        return con

    def conninfo(self) -> str:
        return pg_conninfo.make_conninfo(
            "", **_catalog_parts(self.settings), connect_timeout=str(CONNECT_SECONDS)
        )

    def fingerprint(self) -> tuple[int, ...]:
        """The newest snapshot's id: it changes with every commit, by any replica. Read from the
        catalog at most every FINGERPRINT_SECONDS per process."""
        now = time.monotonic()
        if self._fingerprint is not None and now - self._fingerprint[0] < FINGERPRINT_SECONDS:
            return self._fingerprint[1]
        try:
            pg = self.sessions.take()
        except psycopg.Error as exc:
            raise unavailable(exc) from exc
        try:
            row = pg.execute("SELECT max(snapshot_id) FROM public.ducklake_snapshot").fetchone()
        except psycopg.Error as exc:
            pg.close()
            raise unavailable(exc) from exc
        self.sessions.give_back(pg)
        found = (int(row[0]) if row and row[0] is not None else -1,)
        self._fingerprint = (now, found)
        return found


_ENGINE: list[duckdb.DuckDBPyConnection] = []  # the process's one in-memory DuckDB, extensions loaded
_LAKES: dict[LakeSettings, Lake] = {}  # at most one: the lake is always attached as ALIAS
_LAKES_LOCK = threading.Lock()


def _engine() -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB the lake is attached to, made once per process (loading the three
    extensions takes about half a second)."""
    if not _ENGINE:
        db = duckdb.connect(
            config={"extension_directory": str(_extension_folder()), "autoinstall_known_extensions": "false"}
        )
        _load_extensions(db)
        _ENGINE.append(db)
    return _ENGINE[0]


def lake(settings: LakeSettings | None = None) -> Lake:
    """This process's lake for the settings (attached on first use; another lake is detached)."""
    wanted = settings or config.lake_settings()
    with _LAKES_LOCK:
        if wanted not in _LAKES:
            _detach_all()
            _LAKES[wanted] = Lake(wanted)
        return _LAKES[wanted]


def _detach_all() -> None:
    for found in list(_LAKES.values()):
        found.sessions.close_all()
        with contextlib.suppress(duckdb.Error):
            found.db.execute(f"DETACH DATABASE IF EXISTS {ALIAS}")
    _LAKES.clear()


def forget(settings: LakeSettings | None = None) -> None:
    """Detach (after the catalog went away, or in tests between lakes); the next use attaches again."""
    with _LAKES_LOCK:
        if settings is None or settings in _LAKES:
            _detach_all()


def unavailable(exc: Exception) -> StoreUnavailable:
    log.warning("store unavailable: %s", exc)
    return StoreUnavailable(
        "The shared store cannot be reached just now (its catalog database or its file storage does "
        "not answer). Nothing was changed; the page recovers by itself when the store is back."
    )


@dataclass
class WriterTurn:
    """A writer's turn: the advisory lock, held by one PostgreSQL session until released."""

    session: PgSession
    sessions: CatalogSessions

    def release(self) -> None:
        try:
            self.session.execute("SELECT pg_advisory_unlock(%s)", [WRITER_LOCK_KEY])
        except psycopg.Error:
            self.session.close()  # a lost session has released its lock already
        else:
            self.sessions.give_back(self.session)


def writer_turn(the_lake: Lake, timeout: float) -> WriterTurn:
    """Wait (in PostgreSQL, first come first served) for the writers' lock, at most ``timeout`` s."""
    try:
        session = the_lake.sessions.take()
    except psycopg.Error as exc:
        raise unavailable(exc) from exc
    try:
        session.execute(f"SET lock_timeout = {max(int(timeout * 1000), 1)}")
        session.execute("SELECT pg_advisory_lock(%s)", [WRITER_LOCK_KEY])
    except psycopg.errors.LockNotAvailable as exc:
        session.close()
        raise DatabaseBusy(
            f"Another change is being written to the shared store; waited {timeout:g} s. Try again in a moment."
        ) from exc
    except psycopg.Error as exc:
        session.close()
        raise unavailable(exc) from exc
    return WriterTurn(session, the_lake.sessions)


_held = threading.local()  # this thread's writer turn, while it has one


@contextmanager
def unit_of_work(read_only: bool, timeout: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the lake for one unit of work; a writer holds the writers' lock throughout.
    A writer opened inside another in the same thread works in the same turn (as one process
    does on the file store); other threads and processes wait for it."""
    the_lake = lake()
    nested = getattr(_held, "depth", 0) > 0
    turn = None if read_only or nested else writer_turn(the_lake, timeout)
    if not read_only:
        _held.depth = getattr(_held, "depth", 0) + 1
    try:
        con = the_lake.cursor()
        try:
            yield con
        finally:
            con.close()
    except (duckdb.IOException, duckdb.TransactionException) as exc:
        if isinstance(exc, duckdb.TransactionException) and not is_lost_store(exc):
            raise
        # The catalog or the file storage went away mid-way (a commit it cut short was rolled
        # back in PostgreSQL: nothing of it is in force). The next unit of work attaches again.
        forget(the_lake.settings)
        raise unavailable(exc) from exc
    finally:
        if not read_only:
            _held.depth -= 1
        if turn is not None:
            turn.release()


def is_lost_store(exc: Exception) -> bool:
    """A commit that failed because the catalog's session ended under it (a restart, a lost
    network), not because of what it wrote."""
    text = str(exc).lower()
    return "failed to execute query" in text or "connection" in text or "server closed" in text


def is_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return "conflict" in text or "failed to commit ducklake transaction" in text


# ---------------------------------------------------------------- maintenance


@dataclass(frozen=True)
class Maintenance:
    """What ``maintain`` did: data files and snapshots before and after."""

    files_before: int
    files_after: int
    snapshots_before: int
    snapshots_after: int

    def describe(self) -> str:
        return (
            f"Data files: {self.files_before:,} -> {self.files_after:,}. "
            f"Snapshots kept: {self.snapshots_before:,} -> {self.snapshots_after:,}."
        )


def _files(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(f"SELECT coalesce(sum(file_count), 0) FROM ducklake_table_info('{ALIAS}')").fetchone()
    return int(row[0]) if row else 0


def _snapshots(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(f"SELECT count(*) FROM ducklake_snapshots('{ALIAS}')").fetchone()
    return int(row[0]) if row else 0


def maintain(con: duckdb.DuckDBPyConnection, keep_days: int) -> Maintenance:
    """Write small inlined inserts out as files, merge the many small files that small uploads
    leave into fewer, expire snapshots older than ``keep_days`` and delete the files no snapshot
    needs any more, and files a writer killed mid-commit left behind. Run in a writer's turn
    (no other write can be half-way), on a lake whose data path is its own. The app's own "as known on a day" views read the
    recorded times of rows, not DuckLake snapshots, so none of them changes."""
    files, snapshots = _files(con), _snapshots(con)
    con.execute(f"CALL ducklake_flush_inlined_data('{ALIAS}')")
    con.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')")
    # DuckLake stamps snapshots with the machine's clock (not SCORECARD_TODAY), so expiry reads it too.
    cutoff = clock.wall().replace(tzinfo=dt.UTC) - dt.timedelta(days=max(keep_days, 0))
    con.execute(f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => ?::TIMESTAMPTZ)", [cutoff])
    con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)")
    # files a writer killed mid-commit left behind (no snapshot names them; no writer is busy now)
    con.execute(f"CALL ducklake_delete_orphaned_files('{ALIAS}', cleanup_all => true)")
    return Maintenance(files, _files(con), snapshots, _snapshots(con))
