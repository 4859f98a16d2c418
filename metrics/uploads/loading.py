"""The straight path for a clean metric CSV: typed rows straight into the table, one profile check.

Most uploads are clean, and for them reading the file twice (once to check, once
to store) would double the work. So, inside the upload's transaction, DuckDB
reads the file once with strict types straight into ``observations`` (or into a
temporary table for a dry run). A row without a metric, or whose date or number
does not parse strictly, breaks a NOT NULL constraint and stops the load; so
does a row of the wrong width or a byte that is not UTF-8. One scan then
profiles the loaded rows per metric, and pandera checks that profile against the
agreed definitions (``schemas.profile_schema``: every rule, stated per metric).

When anything fails, the caller rolls the transaction back and takes the careful
path (``metrics.staging``), which reads every cell as text and locates and
explains every failing one. The straight path never accepts a file the careful
path would reject, and stores the same values; tests hold both paths to the same
files. Cells with surrounding spaces are left to the careful path, which trims.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from metrics import clock, store
from metrics.uploads import rules as schemas

DRY_RUN_TABLE = "upload_dry_run"

# DuckDB refuses the load (and the careful path explains why) with one of these.
REFUSALS = (duckdb.ConstraintException, duckdb.ConversionException, duckdb.InvalidInputException)

_READ_OPTIONS = "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"'"

# Strict as the careful path: dates written YYYY-MM-DD, exactly as the date reads back
# (a cast alone takes 2026/1/5, and 2026-10-1x as 2026-10-01),
# numbers without digit separators (a cast alone reads 1_000 as 1000). No trimming of
# metric_id or period_start: a padded cell fails here and the careful path trims it.
_TYPED_ROWS = """
SELECT metric_id,
       CASE WHEN period_start LIKE '____-__-__'
             AND CAST(TRY_CAST(period_start AS DATE) AS VARCHAR) = period_start
            THEN TRY_CAST(period_start AS DATE) END,
       {segment},
       CASE WHEN NOT (contains(value, '_') OR contains(value, '+-') OR contains(value, '-+'))
            THEN TRY_CAST(value AS DOUBLE) END,
       {note},
       ?, ?
FROM read_csv(?, {options}, columns = {{{columns}}})
"""

# Per metric, the figures the rules need. Periods are checked once per distinct
# (metric, period), not once per row; with a non-finite value the file fails anyway,
# so the plain min and max are the bounds to check.
_PROFILE = """
WITH per_period AS (
    SELECT metric_id, period_start, count(*) AS rows,
           count(*) FILTER (NOT isfinite(value)) AS not_finite,
           min(value) AS lowest, max(value) AS highest,
           count(*) FILTER (value <> floor(value)) AS not_whole,
           max(length(note)) AS longest_note
    FROM {table} WHERE upload_id = $id GROUP BY metric_id, period_start
), per_segment AS (  -- segment names are checked once per distinct name, not once per row
    SELECT metric_id, max(length(segment)) AS longest_segment,
           count(*) FILTER (regexp_matches(segment, '[\\x00-\\x1f\\x7f]')) AS unprintable_segments
    FROM (SELECT DISTINCT metric_id, segment FROM {table} WHERE upload_id = $id) GROUP BY metric_id
), per_metric AS (
    SELECT metric_id, sum(rows)::BIGINT AS rows, max(period_start) AS latest_period,
           min(period_start) AS earliest_period,
           count(*) FILTER (isodow(period_start) <> 1) AS not_monday,
           count(*) FILTER (day(period_start) <> 1) AS not_first_of_month,
           count(*) FILTER (month(period_start) NOT IN (1, 4, 7, 10)) AS not_quarter_month,
           sum(not_finite)::BIGINT AS not_finite, min(lowest) AS lowest, max(highest) AS highest,
           sum(not_whole)::BIGINT AS not_whole, coalesce(max(longest_note), 0) AS longest_note
    FROM per_period GROUP BY metric_id
)
SELECT m.*, coalesce(s.longest_segment, 0) AS longest_segment,
       coalesce(s.unprintable_segments, 0)::BIGINT AS unprintable_segments,
       -- a hash per key: a collision can only make a clean file look repeated (then the
       -- careful path counts exactly); it never lets a repeated key through
       (SELECT count(*) - count(DISTINCT hash(metric_id, period_start, segment))
        FROM {table} WHERE upload_id = $id) AS repeated_keys,
{facts}
FROM per_metric m LEFT JOIN per_segment s USING (metric_id) LEFT JOIN upload_facts_frame f USING (metric_id)
"""


def make_dry_run_table(con: store.Connection) -> str:
    """A temporary table shaped like observations, NOT NULL constraints included."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {DRY_RUN_TABLE} (
            metric_id VARCHAR NOT NULL,
            period_start DATE NOT NULL,
            segment VARCHAR NOT NULL,
            value DOUBLE NOT NULL,
            note VARCHAR,
            upload_id BIGINT NOT NULL,
            recorded_at TIMESTAMP NOT NULL)"""
    )
    return DRY_RUN_TABLE


def load(con: store.Connection, csv_path: Path, names: Sequence[str], table: str, upload_id: int) -> int:
    """Read the file with strict types into ``table`` as rows of ``upload_id``; returns the count.

    Raises one of ``REFUSALS`` when a row cannot be loaded. ``table`` is
    observations or the dry-run table, never user input.
    """
    source = _TYPED_ROWS.format(
        options=_READ_OPTIONS,
        columns=", ".join(f"'{name}': 'VARCHAR'" for name in names),  # names are from the allowed set
        segment="coalesce(trim(segment), '')" if "segment" in names else "''",
        note="nullif(note, '')" if "note" in names else "NULL",
    )
    row = con.execute(
        f"INSERT INTO {table} (metric_id, period_start, segment, value, note, upload_id, recorded_at) {source}",
        [upload_id, clock.now(), str(csv_path)],
    ).fetchone()
    return int(row[0]) if row else 0


def profile(con: store.Connection, table: str, upload_id: int, facts: pd.DataFrame) -> pd.DataFrame:
    """Per metric in the loaded rows: the figures every rule needs, beside the metric's facts."""
    con.register("upload_facts_frame", facts)
    try:
        query = _PROFILE.format(table=table, facts=schemas.FACT_COLUMNS)
        return con.execute(query, {"id": upload_id}).df()
    finally:
        con.unregister("upload_facts_frame")
