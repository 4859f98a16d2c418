"""Metric CSV -> checked rows -> one transaction. All rows or none.

1. The bytes (``metrics.csv_file``): read once, in chunks, before any parsing:
   size, text not binary, UTF-8, header row, row count; hashed and compressed to keep.
2. The straight path (``metrics.loading``), for a clean file: inside one
   transaction DuckDB loads the rows with strict types straight into the table,
   pandera checks a per-metric profile of them against the agreed definitions,
   and the upload record with the kept file is added. Commit: done.
3. The careful path (``metrics.staging``), when the straight path stops: every
   cell is staged as text, rows of the wrong width are found by line, and
   pandera's row rules locate and explain every failing cell. A rejected file is
   recorded too, with its bytes. (A file whose only fault is padded cells passes
   here and is stored from the staged rows.)
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics import access, clock, config, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected, NotFound, PermissionDenied
from metrics.uploads import csv_file, loading, observations, staging
from metrics.uploads import rules as schemas
from metrics.uploads.csv_file import Limits, Received

ERROR_COLUMNS = ["line", "column", "value", "rule", "reason"]
RESTATED_SHOWN = 10_000  # restated rows listed in a preview; the count is always exact
# One writer per process at a time: the duplicate-bytes check and the insert must not interleave.
_WRITE_LOCK = threading.Lock()

Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    """Default progress callback: say nothing."""


@dataclass
class IngestResult:
    outcome: str  # accepted | rejected | duplicate | checked (a dry run that passed)
    file_name: str
    sha256: str
    row_count: int = 0
    upload_id: int | None = None
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    counts: dict[str, int] = field(default_factory=dict)
    new_values: int = 0
    restated: pd.DataFrame = field(default_factory=pd.DataFrame)  # the first RESTATED_SHOWN
    restated_count: int = 0
    unchanged: int = 0
    message: str = ""
    path_taken: str = ""  # straight | careful: how the rows were checked

    def error_lines(self) -> list[str]:
        """Errors as the command line prints them: line N, column C: 'value' - reason."""
        lines = []
        for record in self.errors.to_dict("records"):
            where = f"line {int(record['line'])}, " if pd.notna(record["line"]) else ""
            lines.append(f"{where}column {record['column']}: '{record['value']}' - {record['reason']}")
        return lines


# ---------------------------------------------------------------- the whole flow


def ingest(
    data: bytes | None,
    file_name: str,
    person: Person | None,
    *,
    dry_run: bool = False,
    source: str = "page",
    path: Path | None = None,
    csv_path: Path | None = None,
    limits: Limits | None = None,
    today: dt.date | None = None,
    progress: Progress = _no_progress,
    record_rejected: bool = False,
) -> IngestResult:
    """Check a metric CSV and, unless ``dry_run``, store it all or nothing.

    The file is ``data`` (the page) or the file at ``csv_path`` (the command line,
    which then never holds a large file in memory); if both are given they must be
    the same bytes. With ``dry_run`` and ``record_rejected``, a rejected file is
    still recorded as an attempt (the page previews before storing).
    """
    uploader = access.require(person, "upload")
    if data is None and csv_path is None:
        raise ValueError("ingest needs the file's bytes or its path")
    limits = limits or Limits.from_settings()
    today = today or clock.today()
    progress("Checking the file", 0.05)
    file: bytes | Path = csv_path if csv_path is not None else data or b""
    received = csv_file.first_look(file, limits)
    result = IngestResult("rejected", file_name, "")
    with (
        store.connect(path, lane="uploads") as con,
        staging.csv_on_disk(data, csv_path) as on_disk,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-through") as beside,
    ):
        # Hashing, the UTF-8 check and compressing the kept copy run beside the parsing.
        reading = beside.submit(csv_file.read_through, file, received.size, limits)
        con.execute(f"SET memory_limit = '{_memory_limit()}'")
        # One number per stored attempt, whichever path stores it (a duplicate leaves a gap).
        upload_id = None if dry_run else _next_upload_id(con)
        facts = schemas.catalog_facts(catalog.entries(con, today), uploader)  # for either path
        if not received.problems:
            progress("Reading and checking rows", 0.15)
            if _straight(
                con,
                result,
                received,
                reading,
                on_disk,
                facts,
                uploader,
                today,
                upload_id=upload_id,
                source=source,
            ):
                progress("Done", 1.0)
                return result
        received.absorb(reading.result())
        result.sha256 = received.sha256
        problems = received.problems
        if not problems:
            progress("Locating every problem", 0.5)
            problems, result.counts = _careful_check(con, on_disk, received, facts, today)
        return _careful_finish(
            con,
            result,
            received,
            problems,
            uploader,
            upload_id=upload_id,
            record_rejected=record_rejected,
            source=source,
            progress=progress,
        )


def _memory_limit() -> str:
    """The DuckDB memory cap for an ingest, checked so it can go into SET safely."""
    return config.ingest_memory()


# ---------------------------------------------------------------- 2. the straight path


def _straight(
    con: store.Connection,
    result: IngestResult,
    received: Received,
    reading: Future[csv_file.Contents],
    csv_path: Path,
    facts: pd.DataFrame,
    person: Person,
    today: dt.date,
    *,
    upload_id: int | None,
    source: str,
) -> bool:
    """Load, check and store a clean file as ``upload_id`` in one transaction (None: a dry run).

    Returns False, with nothing written, when the file is not clean.
    """
    dry_run = upload_id is None
    with nullcontext() if dry_run else _WRITE_LOCK:
        try:
            store.commit_if(
                con,
                lambda: _straight_in_transaction(
                    con, result, received, reading, csv_path, facts, person, today, upload_id, source
                ),
            )
        except loading.REFUSALS:
            return False
        if result.outcome == "duplicate":
            with store.transaction(con):
                _audit_duplicate(con, result, person)
    if result.outcome == "rejected":
        return False
    result.path_taken = "straight"
    if not result.message:
        result.message = _message(result, dry_run=dry_run)
    return True


def _straight_in_transaction(
    con: store.Connection,
    result: IngestResult,
    received: Received,
    reading: Future[csv_file.Contents],
    csv_path: Path,
    facts: pd.DataFrame,
    person: Person,
    today: dt.date,
    upload_id: int | None,
    source: str,
) -> bool:
    """The straight path's work; returns whether to commit."""
    dry_run = upload_id is None
    table = loading.make_dry_run_table(con) if upload_id is None else "observations"
    upload_id = upload_id or 0
    result.row_count = loading.load(con, csv_path, received.names, table, upload_id)
    if result.row_count == 0 or not csv_file.rows_accounted(csv_path, received.rows, result.row_count):
        return False  # the careful path says why: every data line of the file is accounted for
    if schemas.profile_breaks(schemas.rules(today), loading.profile(con, table, upload_id, facts)):
        return False
    received.absorb(reading.result())  # the hash, the UTF-8 check and the kept copy
    result.sha256 = received.sha256
    if received.problems or (not dry_run and _is_duplicate(con, result)):
        return False  # roll the loaded rows back (a duplicate's attempt is audited afterwards)
    _fill_preview(con, result, table, upload_id)
    if dry_run:
        result.outcome = "checked"
        return False
    _record_accepted(con, result, received, person, source, upload_id)
    return True


def _next_upload_id(con: store.Connection) -> int:
    return store.next_id(con, "upload_ids")


def _is_duplicate(con: store.Connection, result: IngestResult) -> bool:
    """If these exact bytes were accepted before, say when and by whom."""
    previous = _previous_upload(con, result.sha256)
    if previous is None:
        return False
    result.outcome = "duplicate"
    result.upload_id = previous[0]
    result.message = (
        f"This exact file was already uploaded on {previous[2]:%d %b %Y at %H:%M} UTC "
        f"by {previous[1]} (upload {previous[0]}); nothing was stored again."
    )
    return True


def _audit_duplicate(con: store.Connection, result: IngestResult, person: Person) -> None:
    detail = json.dumps({"file": result.file_name})
    store.audit(con, person.email, "upload_duplicate", str(result.upload_id), detail)


def _previous_upload(con: store.Connection, sha256: str) -> tuple[int, str, dt.datetime] | None:
    row = con.execute(
        "SELECT upload_id, uploaded_by, uploaded_at FROM uploads "
        "WHERE sha256 = ? AND outcome = 'accepted' ORDER BY upload_id LIMIT 1",
        [sha256],
    ).fetchone()
    return (int(row[0]), str(row[1]), row[2]) if row else None


# The values in force for exactly the upload's keys. The metric and period bounds are given as
# filters so DuckDB skips every other row group while it scans: at 10M observations a five-row
# upload's preview took ~1.3-2.5 s when every key of its metrics was grouped first, ~10 ms now.
_MATCHED = """
WITH incoming AS (
    SELECT metric_id, period_start, segment, value FROM {table} WHERE upload_id = $id
), current AS (
    SELECT o.metric_id, o.period_start, o.segment, arg_max(o.value, o.upload_id) AS value
    FROM observations o SEMI JOIN incoming i USING (metric_id, period_start, segment)
    WHERE o.upload_id <> $id
      AND o.metric_id IN (SELECT metric_id FROM incoming)
      AND o.period_start BETWEEN (SELECT min(period_start) FROM incoming)
                             AND (SELECT max(period_start) FROM incoming)
      AND o.upload_id NOT IN (SELECT upload_id FROM uploads WHERE retracted_at IS NOT NULL)
    GROUP BY ALL
)
SELECT n.metric_id, n.period_start, n.segment, c.value AS old_value, n.value AS new_value
FROM incoming n JOIN current c USING (metric_id, period_start, segment)
"""


def _fill_preview(con: store.Connection, result: IngestResult, table: str, upload_id: int) -> None:
    """New values, restated values (old -> new) and unchanged ones, against the values in force."""
    matched = _MATCHED.format(table=table)
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (old_value <> new_value) FROM ({matched})", {"id": upload_id}
    ).fetchone()
    both, restated = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    result.new_values = result.row_count - both
    result.unchanged = both - restated
    result.restated_count = restated
    result.restated = _with_dates(
        con.execute(
            f"SELECT * FROM ({matched}) WHERE old_value <> new_value "
            f"ORDER BY metric_id, period_start, segment LIMIT {RESTATED_SHOWN}",
            {"id": upload_id},
        ).df()
    )


def _record_accepted(
    con: store.Connection,
    result: IngestResult,
    received: Received,
    person: Person,
    source: str,
    upload_id: int | None = None,
) -> int:
    """The accepted upload's record, with its kept file, and its audit entry; returns its id."""
    upload_id = observations.add_upload(
        con,
        received=received,
        file_name=result.file_name,
        uploaded_by=person.email,
        source=source,
        outcome="accepted",
        row_count=result.row_count,
        upload_id=upload_id,
    )
    detail = json.dumps({"file": result.file_name, "rows": result.row_count})
    store.audit(con, person.email, "upload", str(upload_id), detail)
    result.upload_id = upload_id
    result.outcome = "accepted"
    return upload_id


# ---------------------------------------------------------------- 3. the careful path


def _careful_check(
    con: store.Connection, csv_path: Path, received: Received, facts: pd.DataFrame, today: dt.date
) -> tuple[list[csv_file.Problem], dict[str, int]]:
    """Stage every cell as text; return located problems and exact counts per rule (none when
    every problem is listed: ``_fill_errors`` counts them)."""
    structure = staging.stage(con, csv_path, received.names)
    if structure:
        return structure, {}
    staged_row = con.execute("SELECT count(*) FROM upload_rows").fetchone()
    staged = int(staged_row[0]) if staged_row else 0
    if not csv_file.rows_accounted(csv_path, received.rows, staged):  # a data line is never dropped
        return [csv_file.rows_unaccounted(csv_path, received.rows, staged)], {}
    if staged == 0:
        return [csv_file.no_rows()], {}
    staging.prepare_views(con, facts)
    return staging.validate_rows(con, today)


def _careful_finish(
    con: store.Connection,
    result: IngestResult,
    received: Received,
    problems: list[csv_file.Problem],
    person: Person,
    *,
    upload_id: int | None,
    record_rejected: bool,
    source: str,
    progress: Progress,
) -> IngestResult:
    """Reject with located errors, or (a file the straight path could not take) store the staged rows.

    ``upload_id`` None is a dry run (a rejected one may still be recorded, under a new number).
    """
    dry_run = upload_id is None
    result.path_taken = "careful"
    if problems:
        _fill_errors(result, problems)
    else:
        row = con.execute("SELECT count(*) FROM upload_rows").fetchone()
        result.row_count = int(row[0]) if row else 0
        progress("Comparing with stored values", 0.6)
        result.new_values, result.restated, result.unchanged = _staged_preview(con, result.row_count)
        result.restated_count = len(result.restated)
        result.restated = result.restated.head(RESTATED_SHOWN)
    if dry_run and not (problems and record_rejected):
        result.outcome = "checked" if not problems else "rejected"
        result.message = _message(result, dry_run=True)
        return result
    progress("Storing", 0.75)
    with _WRITE_LOCK, store.transaction(con):
        if _is_duplicate(con, result):
            _audit_duplicate(con, result, person)
            return result
        if problems:
            _record_rejection(con, result, received, person, source, upload_id)
        else:
            _store_staged(con, result, received, person, source, upload_id)
    progress("Done", 1.0)
    result.message = _message(result, dry_run=False)
    return result


def _staged_preview(con: store.Connection, total: int) -> tuple[int, pd.DataFrame, int]:
    """(new values, restated rows old -> new, unchanged values) of the ``total`` staged rows,
    against the values in force."""
    restated = con.execute(
        """
        WITH current AS (
            SELECT o.metric_id, o.period_start, o.segment, arg_max(o.value, o.upload_id) AS value
            FROM observations o JOIN uploads u USING (upload_id)
            WHERE u.retracted_at IS NULL
              AND o.metric_id IN (SELECT DISTINCT clean_metric_id FROM upload_rows)
            GROUP BY ALL
        )
        SELECT t.clean_metric_id AS metric_id, t.period AS period_start,
               t.clean_segment AS segment, c.value AS old_value, t.parsed_value AS new_value
        FROM upload_rows t
        JOIN current c ON c.metric_id = t.clean_metric_id AND c.period_start = t.period
         AND c.segment = t.clean_segment
        ORDER BY metric_id, period_start, segment
        """
    ).df()
    changed = restated[restated["old_value"] != restated["new_value"]].reset_index(drop=True)
    unchanged = len(restated) - len(changed)
    return total - len(restated), _with_dates(changed), unchanged


def _with_dates(restated: pd.DataFrame) -> pd.DataFrame:
    """Periods as dates (DuckDB hands dates to pandas as midnight timestamps)."""
    if len(restated):
        restated["period_start"] = pd.to_datetime(restated["period_start"]).dt.date
    return restated


def _store_staged(
    con: store.Connection,
    result: IngestResult,
    received: Received,
    person: Person,
    source: str,
    upload_id: int | None,
) -> None:
    upload_id = _record_accepted(con, result, received, person, source, upload_id)
    observations.append_staged(con, upload_id)


def _record_rejection(
    con: store.Connection,
    result: IngestResult,
    received: Received,
    person: Person,
    source: str,
    upload_id: int | None,
) -> None:
    result.upload_id = observations.add_upload(
        con,
        received=received,
        file_name=result.file_name,
        uploaded_by=person.email,
        source=source,
        outcome="rejected",
        row_count=result.row_count or None,
        error_counts=result.counts,
        upload_id=upload_id,
    )
    store.audit(con, person.email, "upload_rejected", str(result.upload_id), json.dumps(result.counts))


def _fill_errors(result: IngestResult, problems: list[dict[str, object]]) -> None:
    result.errors = (
        pd.DataFrame(problems, columns=ERROR_COLUMNS)
        .sort_values(["line", "column"], na_position="first", kind="stable")
        .reset_index(drop=True)
    )
    if not result.counts:
        result.counts = {str(k): int(v) for k, v in result.errors["rule"].value_counts().items()}
    result.outcome = "rejected"


def _message(result: IngestResult, *, dry_run: bool) -> str:
    if result.outcome == "rejected":
        total = sum(result.counts.values())
        return f"{result.file_name} was rejected: {total:,} problem{'s' * (total != 1)}; nothing was stored."
    summary = (
        f"{result.row_count:,} row{'s' * (result.row_count != 1)}: {result.new_values:,} new, "
        f"{result.restated_count:,} restated, {result.unchanged:,} unchanged"
    )
    if dry_run:
        return f"{result.file_name} passed every check ({summary}). Nothing stored yet."
    return f"Stored {result.file_name} as upload {result.upload_id} ({summary})."


# ---------------------------------------------------------------- after the fact


def retract(con: store.Connection, upload_id: int, person: Person | None) -> None:
    """Take an upload's values off the board; earlier values come back. Nothing is deleted."""
    actor = access.require(person, "retract_upload")
    row = con.execute(
        "SELECT u.outcome, u.retracted_at, p.team FROM uploads u LEFT JOIN people p ON p.email = u.uploaded_by "
        "WHERE u.upload_id = ?",
        [upload_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no upload {upload_id}.")
    outcome, retracted_at, team = row
    if outcome != "accepted" or retracted_at is not None:
        raise InputRejected(
            f"Upload {upload_id} is not an accepted upload in force, so it cannot be retracted."
        )
    if not actor.has("admin") and (actor.team is None or actor.team != team):
        raise PermissionDenied(f"Only the uploading team or an admin may retract upload {upload_id}.")
    with store.transaction(con):
        observations.mark_retracted(con, upload_id, actor.email)
        store.audit(con, actor.email, "retract_upload", str(upload_id))


def recheck(upload_id: int, *, path: Path | None = None, today: dt.date | None = None) -> IngestResult:
    """Check a stored upload's original bytes again, as its uploader, against today's definitions."""
    with store.connect(path) as con:
        row = con.execute(
            "SELECT file_name, uploaded_by FROM uploads WHERE upload_id = ?", [upload_id]
        ).fetchone()
        original = observations.original_bytes(con, upload_id)
        if row is None or original is None:
            raise NotFound(f"Upload {upload_id} has no stored file to check.")
        uploader = access.get_person(con, row[1])
    if uploader is None:
        raise NotFound(f"{row[1]}, who uploaded {row[0]}, is no longer in the people table.")
    return ingest(original, str(row[0]), uploader, dry_run=True, path=path, today=today)
