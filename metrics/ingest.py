"""Metric CSV -> checked rows -> one transaction. All rows or none.

1. The bytes (``metrics.csv_file``): size, text not binary, UTF-8, header row,
   row count, all before parsing.
2. The structure and 3. the values (``metrics.staging``): DuckDB stages every
   cell as text and finds rows of the wrong width; pandera runs the rules of
   ``metrics.schemas`` on the staged rows inside DuckDB.
4. Storing (here): the upload record with its original bytes, then every row as
   an observation, in one transaction. A rejected file is recorded too, with its bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics import access, catalog, config, csv_file, observations, schemas, staging, store
from metrics.access import Person
from metrics.csv_file import Limits
from metrics.errors import InputRejected, NotFound, PermissionDenied

ERROR_COLUMNS = ["line", "column", "value", "rule", "reason"]
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
    restated: pd.DataFrame = field(default_factory=pd.DataFrame)
    unchanged: int = 0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in {"accepted", "checked", "duplicate"}

    def error_lines(self) -> list[str]:
        """Errors as the command line prints them: line N, column C: 'value' - reason."""
        lines = []
        for record in self.errors.to_dict("records"):
            where = f"line {int(record['line'])}, " if pd.notna(record["line"]) else ""
            lines.append(f"{where}column {record['column']}: '{record['value']}' - {record['reason']}")
        return lines


# ---------------------------------------------------------------- 2. structure


# ---------------------------------------------------------------- 4. storing


def _previous_upload(con: store.Connection, sha256: str) -> tuple[int, str, dt.datetime] | None:
    row = con.execute(
        "SELECT upload_id, uploaded_by, uploaded_at FROM uploads "
        "WHERE sha256 = ? AND outcome = 'accepted' ORDER BY upload_id LIMIT 1",
        [sha256],
    ).fetchone()
    return (int(row[0]), str(row[1]), row[2]) if row else None


def _preview(con: store.Connection) -> tuple[int, pd.DataFrame, int]:
    """(new values, restated rows old -> new, unchanged values) against the values in force."""
    restated = con.execute(
        """
        WITH current AS (
            SELECT o.metric_id, o.period_start, o.segment, arg_max(o.value, o.upload_id) AS value
            FROM observations o JOIN uploads u USING (upload_id)
            WHERE u.retracted_at IS NULL
              AND o.metric_id IN (SELECT DISTINCT clean_metric_id FROM upload_rows)
            GROUP BY ALL
        )
        SELECT t.rowid + 2 AS line, t.clean_metric_id AS metric_id, t.period AS period_start,
               t.clean_segment AS segment, c.value AS old_value, t.parsed_value AS new_value
        FROM upload_rows t
        JOIN current c ON c.metric_id = t.clean_metric_id AND c.period_start = t.period
         AND c.segment = t.clean_segment
        ORDER BY line
        """
    ).df()
    total_row = con.execute("SELECT count(*) FROM upload_rows").fetchone()
    total = int(total_row[0]) if total_row else 0
    changed = restated[restated["old_value"] != restated["new_value"]].reset_index(drop=True)
    unchanged = len(restated) - len(changed)
    return total - len(restated), changed, unchanged


def _store(con: store.Connection, result: IngestResult, data: bytes, person: Person, source: str) -> None:
    upload_id = observations.add_upload(
        con,
        original=data,
        file_name=result.file_name,
        uploaded_by=person.email,
        source=source,
        outcome="accepted",
        row_count=result.row_count,
    )
    con.execute(
        "INSERT INTO observations (metric_id, period_start, segment, value, note, upload_id, recorded_at) "
        "SELECT clean_metric_id, period, clean_segment, parsed_value, clean_note, ?, ? FROM upload_rows",
        [upload_id, store.now()],
    )
    store.audit(
        con,
        person.email,
        "upload",
        str(upload_id),
        json.dumps({"file": result.file_name, "rows": result.row_count}),
    )
    result.upload_id = upload_id


def _record_rejection(
    con: store.Connection, result: IngestResult, data: bytes, person: Person, source: str
) -> None:
    result.upload_id = observations.add_upload(
        con,
        original=data,
        file_name=result.file_name,
        uploaded_by=person.email,
        source=source,
        outcome="rejected",
        row_count=result.row_count or None,
        error_counts=result.counts,
    )
    store.audit(con, person.email, "upload_rejected", str(result.upload_id), json.dumps(result.counts))


# ---------------------------------------------------------------- the whole flow


def ingest(
    data: bytes,
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
    """Check ``data`` (a metric CSV) and, unless ``dry_run``, store it all or nothing.

    ``csv_path`` may name a file on disk holding exactly ``data`` (the command line),
    which saves writing a temporary copy. With ``dry_run`` and ``record_rejected``, a
    rejected file is still recorded as an attempt (the page previews before storing).
    """
    uploader = access.require(person, "upload")
    limits = limits or Limits.from_settings()
    today = today or config.today()
    result = IngestResult("rejected", file_name, hashlib.sha256(data).hexdigest())
    progress("Checking the file", 0.05)
    names, problems = csv_file.inspect_bytes(data, limits)
    with store.connect(path) as con:
        con.execute(f"SET memory_limit = '{_memory_limit()}'")
        if not problems:
            problems, counts = _check_rows(con, data, names, uploader, today, csv_path, progress)
            result.counts = counts
        if problems:
            _fill_errors(result, problems)
        else:
            row = con.execute("SELECT count(*) FROM upload_rows").fetchone()
            result.row_count = int(row[0]) if row else 0
            progress("Comparing with stored values", 0.6)
            result.new_values, result.restated, result.unchanged = _preview(con)
        if dry_run and not (problems and record_rejected):
            result.outcome = "checked" if not problems else "rejected"
            result.message = _message(result, dry_run=True)
            return result
        progress("Storing", 0.75)
        with _WRITE_LOCK, store.transaction(con):
            previous = _previous_upload(con, result.sha256)
            if previous is not None:
                result.outcome = "duplicate"
                result.message = (
                    f"This exact file was already uploaded on {previous[2]:%d %b %Y at %H:%M} UTC "
                    f"by {previous[1]} (upload {previous[0]}); nothing was stored again."
                )
                store.audit(
                    con, uploader.email, "upload_duplicate", str(previous[0]), json.dumps({"file": file_name})
                )
                return result
            if problems:
                _record_rejection(con, result, data, uploader, source)
            else:
                _store(con, result, data, uploader, source)
                result.outcome = "accepted"
    progress("Done", 1.0)
    result.message = _message(result, dry_run=False)
    return result


def _memory_limit() -> str:
    """The DuckDB memory cap for an ingest, checked so it can go into SET safely."""
    value = config.setting("SCORECARD_INGEST_MEMORY").strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", value, flags=re.IGNORECASE):
        raise InputRejected(f"SCORECARD_INGEST_MEMORY must look like 500MB or 1GB, not {value!r}.")
    return value


def _check_rows(
    con: store.Connection,
    data: bytes,
    names: list[str],
    person: Person,
    today: dt.date,
    csv_path: Path | None,
    progress: Progress,
) -> tuple[list[dict[str, object]], dict[str, int]]:
    progress("Reading rows", 0.15)
    with staging.csv_on_disk(data, csv_path) as on_disk:
        structure = staging.stage(con, on_disk, names)
    if structure:
        return structure, {"wrong_field_count": len(structure)}
    facts = schemas.catalog_facts(catalog.entries(con, today), person)
    staging.prepare_views(con, facts)
    progress("Checking values against the agreed definitions", 0.35)
    return staging.validate_rows(con, today)


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
        f"{result.row_count:,} row{'s' * (result.row_count != 1)}: {result.new_values:,} new, {len(result.restated):,} restated, "
        f"{result.unchanged:,} unchanged"
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
        con.execute(
            "UPDATE uploads SET retracted_at = ?, retracted_by = ? WHERE upload_id = ?",
            [store.now(), actor.email, upload_id],
        )
        store.audit(con, actor.email, "retract_upload", str(upload_id))


def recheck(upload_id: int, *, path: Path | None = None, today: dt.date | None = None) -> IngestResult:
    """Check a stored upload's original bytes again, as its uploader, against today's definitions."""
    with store.connect(path) as con:
        row = con.execute(
            "SELECT original, file_name, uploaded_by FROM uploads WHERE upload_id = ?", [upload_id]
        ).fetchone()
        if row is None or row[0] is None:
            raise NotFound(f"Upload {upload_id} has no stored file to check.")
        uploader = access.get_person(con, row[2])
    if uploader is None:
        raise NotFound(f"{row[2]}, who uploaded {row[1]}, is no longer in the people table.")
    return ingest(bytes(row[0]), str(row[1]), uploader, dry_run=True, path=path, today=today)
