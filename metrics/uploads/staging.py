"""Staging an upload inside DuckDB and running the pandera rules on it.

DuckDB reads every cell as text into a temporary table (rows of the wrong width
are recorded by line), parses dates and numbers strictly once, and joins the
per-metric facts from the agreed catalog. pandera then checks the rows where
they are: one scan when the file is valid; per rule, with lines, when it is not.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pandera.errors

from metrics import store
from metrics.uploads import rules as schemas
from metrics.uploads.csv_file import OPTIONAL_COLUMNS, Problem, problem

LOCATED_PER_RULE = 10_000  # failing cells listed per rule; counts are always exact


def stage(con: store.Connection, csv_path: Path, names: Sequence[str]) -> list[Problem]:
    """Read every cell as text into temp table upload_rows; return rows of the wrong width
    (one problem per line), or why the file cannot be read as CSV at all."""
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in names)  # names are from the allowed set
    optional = "".join(f", NULL::VARCHAR AS {name}" for name in OPTIONAL_COLUMNS if name not in names)
    con.execute("DROP TABLE IF EXISTS upload_rows")
    try:
        con.execute(
            f"CREATE TEMP TABLE upload_rows AS SELECT *, {_PARSED_COLUMNS} FROM ("
            f"SELECT *{optional} FROM read_csv(?, header = true, auto_detect = false, "
            f"delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}, store_rejects = true, "
            "rejects_table = 'upload_rejects', rejects_scan = 'upload_reject_scans'))",
            [str(csv_path)],
        )
    except duckdb.InvalidInputException as exc:
        return [unreadable(str(exc))]
    rejects = con.execute(
        "SELECT line, min(error_type), any_value(csv_line) FROM upload_rejects GROUP BY line ORDER BY line"
    ).fetchall()
    return [_rejected_row(int(line), str(kind), str(raw), names) for line, kind, raw in rejects]


def _rejected_row(line: int, kind: str, raw: str, names: Sequence[str]) -> Problem:
    if "COLUMNS" in kind:
        many = "too many" if "MANY" in kind else "too few"
        expected = f"expected {len(names)}: {', '.join(names)}"
        return problem(line, "row", raw[:80], "wrong_field_count", f"this row has {many} fields ({expected})")
    return problem(line, "row", raw[:80], UNREADABLE, f"this row cannot be read as CSV ({kind.lower()})")


UNREADABLE = "unreadable_csv"
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


def unreadable(message: str) -> Problem:
    """DuckDB gave up on the file as a whole: say where, if it said, and what to do."""
    found = _CSV_LINE.search(message)
    reason = (
        "the file cannot be read as CSV: its lines end in different ways (some CRLF, some LF) or a "
        "field holds a bare carriage return; save it again as CSV UTF-8"
        if "state machine" in message
        else "the file cannot be read as CSV: " + message.splitlines()[0].split("Error: ", 1)[-1][:160]
    )
    return problem(int(found.group(1)) if found else None, "file", "", UNREADABLE, reason)


# Parsed once while staging. Dates must be written YYYY-MM-DD, exactly as the date reads
# back (DuckDB's cast alone would also take 2026/01/05, and 2026-10-1x as 2026-10-01); numbers are DuckDB's DOUBLE syntax without digit separators (it
# would read 1_000 as 1000, a guess). Cheap string tests instead of regular expressions:
# they halve the staging time of a large file.
_PARSED_COLUMNS = """
       CASE WHEN trim(period_start) LIKE '____-__-__'
             AND CAST(try_cast(trim(period_start) AS DATE) AS VARCHAR) = trim(period_start)
            THEN try_cast(trim(period_start) AS DATE) END AS period,
       CASE WHEN NOT (contains(value, '_') OR contains(value, '+-') OR contains(value, '-+'))
            THEN try_cast(value AS DOUBLE) END AS parsed_value,
       nullif(trim(metric_id), '') AS clean_metric_id,
       coalesce(trim(segment), '') AS clean_segment,
       nullif(note, '') AS clean_note
"""

_TYPED_VIEW = f"""
CREATE OR REPLACE TEMP VIEW upload_typed AS
SELECT r.rowid + 2 AS line,
       r.clean_metric_id AS metric_id,
       r.period_start AS period_text,
       r.clean_segment AS segment,
       r.value AS value_text,
       r.clean_note AS note,
       r.period,
       r.parsed_value AS value,{schemas.FACT_COLUMNS}
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


def prepare_views(con: store.Connection, facts: pd.DataFrame) -> None:
    con.register("upload_facts_frame", facts)
    con.execute("CREATE OR REPLACE TEMP TABLE upload_facts AS SELECT * FROM upload_facts_frame")
    con.unregister("upload_facts_frame")
    con.execute(_TYPED_VIEW)
    con.execute(_CHECKED_VIEW)


# ---------------------------------------------------------------- 3. values


_TEXT_OF = {"metric_id": "metric_id", "period_start": "period_text", "value": "value_text", "note": "note"}


def validate_rows(con: store.Connection, today: dt.date) -> tuple[list[Problem], dict[str, int]]:
    """Run the pandera schemas on the staged rows; return located errors and exact counts per rule.

    One scan counts the failures of every rule; pandera then locates the cells of
    the rules that failed (only those: each costs a scan). With no failure, the gate
    schema (every rule at once) confirms the file passes.
    """
    every_rule = schemas.rules(today)
    backend = ibis.duckdb.from_connection(con)
    # Counting each key's copies costs a join over every row: only when some key repeats.
    repeats = _some_key_repeats(con)
    row_rules = every_rule if repeats else tuple(r for r in every_rule if r.id != schemas.DUPLICATE_RULE)
    table = backend.table("upload_checked" if repeats else "upload_typed")
    counts_expr = table.aggregate(**{r.id: (~r.passes(table)).sum() for r in row_rules})
    counts = {k: int(v) for k, v in counts_expr.to_pandas().iloc[0].items() if v}
    if not counts:
        try:
            schemas.gate_schema(every_rule).validate(backend.table("upload_typed"))
            return [], {}
        except pandera.errors.SchemaError:
            counts = {"unexplained": 1}
    failing = [r for r in row_rules if counts.get(r.id)]
    located: list[Problem] = []
    if failing:
        detail = schemas.detail_schema(failing)
        for check in detail.checks:
            check.n_failure_cases = LOCATED_PER_RULE
        try:
            detail.validate(table, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            located = _located(exc.failure_cases, failing)
    if not located:  # never leave a failed check unexplained, even if no row could be located
        located = [problem(None, "file", "", "unexplained", "a row breaks a rule that could not be located")]
    return located, counts


def _some_key_repeats(con: store.Connection) -> bool:
    row = con.execute(
        "SELECT EXISTS (SELECT 1 FROM upload_rows WHERE clean_metric_id IS NOT NULL AND period IS NOT NULL "
        "GROUP BY clean_metric_id, period, clean_segment HAVING count(*) > 1)"
    ).fetchone()
    return bool(row and row[0])


def _located(failure_cases: pd.DataFrame, row_rules: Sequence[schemas.Rule]) -> list[Problem]:
    """Failure cases are whole rows; the check number says which rule they broke."""
    errors: list[Problem] = []
    for case in failure_cases.itertuples():
        if not isinstance(case.failure_case, dict):
            continue
        rule = row_rules[int(case.check_number)]
        row = pd.Series(case.failure_case)
        text = row.get(_TEXT_OF.get(rule.column, rule.column))
        value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
        errors.append(problem(int(row["line"]), rule.column, value[:80], rule.id, rule.reason(row)))
    return errors


_GLOB_CHARACTERS = frozenset("*?[]{}")


@contextmanager
def csv_on_disk(data: bytes | None, given: Path | None) -> Iterator[Path]:
    """A path DuckDB can read the bytes from: the given file, or a temporary copy removed afterwards.

    DuckDB reads a path with * ? [ ] { } in it as a pattern of many files, so such a
    file is handed over through a plainly named link to it.
    """
    if given is not None:
        if not _GLOB_CHARACTERS & set(str(given)):
            yield given
            return
        folder = Path(tempfile.mkdtemp(prefix="scorecard-upload-"))
        try:
            link = folder / "upload.csv"
            link.symlink_to(given.resolve())
            yield link
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if data is None:
        raise ValueError("no file: neither bytes nor a path")
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="scorecard-upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
