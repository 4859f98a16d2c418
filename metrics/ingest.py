"""Metric CSV -> checked rows -> one transaction. All rows or none.

1. The bytes: size, text not binary, UTF-8, header row, row count (before parsing).
2. The structure: DuckDB reads every cell as text into a temporary table and
   records rows with too many or too few fields, by line.
3. The values: pandera runs the rules of ``metrics.schemas`` on those rows
   inside DuckDB (one scan when the file is valid; per rule, with lines, when not).
4. Storing: the upload record with its original bytes, then every row as an
   observation, in one transaction. A rejected file is recorded too, with its bytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import pandas as pd
import pandera.errors

from metrics import access, catalog, config, observations, schemas, store
from metrics.access import Person
from metrics.errors import InputRejected, NotFound, PermissionDenied

REQUIRED_COLUMNS = ("metric_id", "period_start", "value")
OPTIONAL_COLUMNS = ("segment", "note")
ERROR_COLUMNS = ["line", "column", "value", "rule", "reason"]
LOCATED_PER_RULE = 10_000  # failing cells listed per rule; counts are always exact
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
_NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
_NON_FINITE_WORDS = ("nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
# One writer per process at a time: the duplicate-bytes check and the insert must not interleave.
_WRITE_LOCK = threading.Lock()

Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    """Default progress callback: say nothing."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=int(float(config.setting("SCORECARD_MAX_UPLOAD_MB")) * 1024 * 1024),
            max_rows=int(config.setting("SCORECARD_MAX_ROWS")),
        )


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


# ---------------------------------------------------------------- 1. the bytes


def _error(line: int | None, column: str, value: str, rule: str, reason: str) -> dict[str, object]:
    return {"line": line, "column": column, "value": value, "rule": rule, "reason": reason}


def _first_non_utf8_byte(data: bytes, chunk: int = 1 << 20) -> int | None:
    """Offset of the first byte that is not valid UTF-8, or None. Checks in chunks, so a
    large upload is never held twice in memory as decoded text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        try:
            decoder.decode(view[start : start + chunk])
        except UnicodeDecodeError as exc:
            return start + exc.start - len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return len(data) - len(decoder.getstate()[0])
    return None


def _header_names(first_line: str) -> list[str]:
    return [name.strip().lower() for name in next(csv.reader([first_line]), [])]


def inspect_bytes(data: bytes, limits: Limits) -> tuple[list[str], list[dict[str, object]]]:
    """File-level checks before any parsing; returns (header names, problems)."""
    if len(data) > limits.max_bytes:
        size = f"{len(data) / 1024 / 1024:.1f} MB"
        cap = f"{limits.max_bytes / 1024 / 1024:g} MB"
        return [], [_error(None, "file", size, "file_too_large", f"the file is larger than {cap}")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [], [_error(1, "file", "", "not_utf8", "the file must be UTF-8 (this one is UTF-16)")]
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:8192]:
        return [], [
            _error(
                None,
                "file",
                "",
                "not_text",
                "this is not a CSV text file (a spreadsheet or archive?); save it as CSV UTF-8",
            )
        ]
    bad_byte = _first_non_utf8_byte(data)
    if bad_byte is not None:
        line = data[:bad_byte].count(b"\n") + 1
        return [], [
            _error(
                line,
                "file",
                repr(data[bad_byte : bad_byte + 1])[2:-1],
                "not_utf8",
                "the file must be UTF-8 (this byte is not)",
            )
        ]
    header_end = data.find(b"\n")
    first_line = data[: header_end if header_end >= 0 else len(data)].decode("utf-8-sig").rstrip("\r")
    if not first_line.strip():
        return [], [
            _error(
                1,
                "header",
                "",
                "no_header",
                "the first line must be the header row "
                f"({', '.join(REQUIRED_COLUMNS)}, optionally {', '.join(OPTIONAL_COLUMNS)})",
            )
        ]
    rows = data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1
    if rows > limits.max_rows:
        return [], [
            _error(
                None,
                "file",
                f"{rows:,} rows",
                "too_many_rows",
                f"the file has more than {limits.max_rows:,} data rows",
            )
        ]
    return _check_header(_header_names(first_line))


def _check_header(names: list[str]) -> tuple[list[str], list[dict[str, object]]]:
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    if not set(names) & set(known):
        return names, [
            _error(
                1,
                "header",
                ",".join(names)[:80],
                "no_header",
                "the first line must be the header "
                f"row ({', '.join(REQUIRED_COLUMNS)}, optionally {', '.join(OPTIONAL_COLUMNS)})",
            )
        ]
    problems = [
        _error(1, name, name, "missing_column", "this required column is missing")
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    problems += [
        _error(1, name, name, "duplicate_column", "this column appears more than once")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += [
        _error(
            1,
            name or "(blank)",
            name,
            "unknown_column",
            f"not a column of the metric CSV (expected {', '.join(known)})",
        )
        for name in names
        if name not in known
    ]
    return names, problems


# ---------------------------------------------------------------- 2. structure


def _stage(con: store.Connection, csv_path: Path, names: Sequence[str]) -> list[dict[str, object]]:
    """Read every cell as text into temp table upload_rows; return rows of the wrong width."""
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in names)  # names are from the allowed set
    optional = "".join(f", NULL::VARCHAR AS {name}" for name in OPTIONAL_COLUMNS if name not in names)
    con.execute("DROP TABLE IF EXISTS upload_rows")
    con.execute(
        f"CREATE TEMP TABLE upload_rows AS SELECT *, {_PARSED_COLUMNS} FROM ("
        f"SELECT *{optional} FROM read_csv(?, header = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}, store_rejects = true, "
        "rejects_table = 'upload_rejects', rejects_scan = 'upload_reject_scans'))",
        [str(csv_path)],
    )
    rejects = con.execute("SELECT line, error_type, csv_line FROM upload_rejects ORDER BY line").fetchall()
    return [
        _error(
            int(line),
            "row",
            str(raw)[:80],
            "wrong_field_count",
            f"this row has {'too many' if 'MANY' in kind else 'too few'} fields "
            f"(expected {len(names)}: {', '.join(names)})",
        )
        for line, kind, raw in rejects
    ]


# Parsed once while staging: strict ISO dates and plain numbers (DuckDB's own casts
# would also take 2026-1-5 or 1_000, which a person did not mean).
_PARSED_COLUMNS = f"""
       CASE WHEN regexp_full_match(trim(period_start), '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')
            THEN try_cast(trim(period_start) AS DATE) END AS period,
       CASE WHEN regexp_full_match(trim(value), '{_NUMBER}')
              OR lower(trim(value)) IN {_NON_FINITE_WORDS!r}
            THEN try_cast(trim(value) AS DOUBLE) END AS parsed_value,
       nullif(trim(metric_id), '') AS clean_metric_id,
       coalesce(trim(segment), '') AS clean_segment,
       nullif(note, '') AS clean_note
"""

_TYPED_VIEW = """
CREATE OR REPLACE TEMP VIEW upload_typed AS
SELECT r.rowid + 2 AS line,
       r.clean_metric_id AS metric_id,
       r.period_start AS period_text,
       r.clean_segment AS segment,
       r.value AS value_text,
       r.clean_note AS note,
       r.period,
       r.parsed_value AS value,
       f.metric_id IS NOT NULL AS known,
       coalesce(f.agreed, false) AS agreed,
       f.supplied_by,
       coalesce(f.team_may_upload, false) AS team_may_upload,
       f.cadence, f.low, f.high,
       coalesce(f.whole, false) AS whole
FROM upload_rows r LEFT JOIN upload_facts f ON f.metric_id = r.clean_metric_id
"""

_CHECKED_VIEW = """
CREATE OR REPLACE TEMP VIEW upload_checked AS
SELECT t.*, coalesce(d.copies, 1) AS copies
FROM upload_typed t LEFT JOIN (
    SELECT metric_id, period, segment, count(*) AS copies
    FROM (SELECT clean_metric_id AS metric_id, period, clean_segment AS segment FROM upload_rows)
    WHERE metric_id IS NOT NULL AND period IS NOT NULL
    GROUP BY ALL HAVING count(*) > 1
) d USING (metric_id, period, segment)
"""


def _prepare_views(con: store.Connection, facts: pd.DataFrame) -> None:
    con.register("upload_facts_frame", facts)
    con.execute("CREATE OR REPLACE TEMP TABLE upload_facts AS SELECT * FROM upload_facts_frame")
    con.unregister("upload_facts_frame")
    con.execute(_TYPED_VIEW)
    con.execute(_CHECKED_VIEW)


# ---------------------------------------------------------------- 3. values


_TEXT_OF = {"metric_id": "metric_id", "period_start": "period_text", "value": "value_text", "note": "note"}


def _validate_rows(con: store.Connection, today: dt.date) -> tuple[list[dict[str, object]], dict[str, int]]:
    """Run the pandera schemas on the staged rows; return located errors and exact counts per rule."""
    row_rules = schemas.rules(today)
    backend = ibis.duckdb.from_connection(con)
    try:
        schemas.gate_schema(row_rules).validate(backend.table("upload_typed"))
        return [], {}
    except pandera.errors.SchemaError:
        pass
    table = backend.table("upload_checked")
    counts_expr = table.aggregate(**{r.id: (~r.passes(table)).sum() for r in row_rules})
    counts = {k: int(v) for k, v in counts_expr.to_pandas().iloc[0].items() if v}
    detail = schemas.detail_schema(row_rules)
    for check in detail.checks:
        check.n_failure_cases = LOCATED_PER_RULE
    located: list[dict[str, object]] = []
    try:
        detail.validate(table, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        located = _located(exc.failure_cases, row_rules)
    if not located:  # never leave a failed gate unexplained, even if no row could be located
        located = [_error(None, "file", "", "unexplained", "a row breaks a rule that could not be located")]
    return located, counts or {"unexplained": 1}


def _located(failure_cases: pd.DataFrame, row_rules: Sequence[schemas.Rule]) -> list[dict[str, object]]:
    """Failure cases are whole rows; the check number says which rule they broke."""
    errors: list[dict[str, object]] = []
    for case in failure_cases.itertuples():
        if not isinstance(case.failure_case, dict):
            continue
        rule = row_rules[int(case.check_number)]
        row = pd.Series(case.failure_case)
        text = row.get(_TEXT_OF.get(rule.column, rule.column))
        value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
        errors.append(_error(int(row["line"]), rule.column, value[:80], rule.id, rule.reason(row)))
    return errors


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
    names, problems = inspect_bytes(data, limits)
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
    with _csv_on_disk(data, csv_path) as on_disk:
        structure = _stage(con, on_disk, names)
    if structure:
        return structure, {"wrong_field_count": len(structure)}
    facts = schemas.catalog_facts(catalog.entries(con, today), person)
    _prepare_views(con, facts)
    progress("Checking values against the agreed definitions", 0.35)
    return _validate_rows(con, today)


@contextmanager
def _csv_on_disk(data: bytes, given: Path | None) -> Iterator[Path]:
    """A path holding the bytes: the given file, or a temporary copy removed afterwards."""
    if given is not None:
        yield given
        return
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="scorecard-upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


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
