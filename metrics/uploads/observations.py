"""Stored values: uploads (with their original bytes) and the observations they brought.

Nothing is updated in place. A restatement is a newer observation for the same
(metric, period, segment); the newest one from an upload that has not been
retracted is the value in force, and the older ones stay as history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence

import pandas as pd

from metrics import clock, store
from metrics.uploads import csv_file

CSV_COLUMNS = ("metric_id", "period_start", "segment", "value", "note")


def add_upload(
    con: store.Connection,
    *,
    original: bytes | None = None,
    received: csv_file.Received | None = None,
    file_name: str,
    uploaded_by: str,
    source: str,
    outcome: str,
    row_count: int | None,
    error_counts: Mapping[str, int] | None = None,
    upload_id: int | None = None,
) -> int:
    """Record one upload attempt, accepted or rejected, with its file kept compressed; returns its id.

    Give the file as ``original`` (its bytes) or as ``received`` (already hashed and
    compressed by ``csv_file.receive``). ``upload_id`` may be one drawn beforehand.
    """
    packed: bytes | None
    if received is None:
        if original is None:
            raise ValueError("add_upload needs the original bytes or the received file")
        sha256, packed = hashlib.sha256(original).hexdigest(), csv_file.pack(original)
    else:
        sha256, packed = received.sha256, received.packed
    if upload_id is None:
        upload_id = store.next_id(con, "upload_ids")
    con.execute(
        "INSERT INTO uploads (upload_id, sha256, file_name, uploaded_by, uploaded_at, source, row_count, "
        "outcome, error_counts, original, original_encoding) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            upload_id,
            sha256,
            file_name,
            uploaded_by,
            clock.now(),
            source,
            row_count,
            outcome,
            json.dumps(dict(error_counts or {})),
            packed,
            csv_file.PACKING,
        ],
    )
    return upload_id


def original_bytes(con: store.Connection, upload_id: int) -> bytes | None:
    """The bytes of an upload exactly as they were sent, or None if they were not kept."""
    row = con.execute(
        "SELECT original, original_encoding FROM uploads WHERE upload_id = ?", [upload_id]
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return csv_file.unpack(bytes(row[0]), str(row[1]))


def append(
    con: store.Connection,
    frame: pd.DataFrame,
    upload_id: int,
    *,
    recorded_at: Sequence[dt.datetime] | None = None,
) -> int:
    """Append validated rows (CSV columns) as observations of ``upload_id``, recorded now.

    ``recorded_at`` (one moment per row, in the frame's order) is for the demo only: its
    values arrive over the two years they cover, so "as of" an earlier day shows something.
    """
    if recorded_at is not None and len(recorded_at) != len(frame):
        raise ValueError(f"{len(recorded_at)} recorded_at moments for {len(frame)} rows")
    rows = frame.assign(recorded_at=clock.now() if recorded_at is None else list(recorded_at))
    con.register("incoming_rows", rows)
    try:
        con.execute(
            "INSERT INTO observations (metric_id, period_start, segment, value, note, upload_id, recorded_at) "
            "SELECT metric_id, CAST(period_start AS DATE), coalesce(segment, ''), value, note, ?, "
            "CAST(recorded_at AS TIMESTAMP) FROM incoming_rows",
            [upload_id],
        )
    finally:
        con.unregister("incoming_rows")
    return len(frame)


def append_staged(con: store.Connection, upload_id: int) -> None:
    """Append the careful path's checked rows (the ``upload_rows`` staging table) as ``upload_id``'s."""
    con.execute(
        "INSERT INTO observations (metric_id, period_start, segment, value, note, upload_id, recorded_at) "
        "SELECT clean_metric_id, period, clean_segment, parsed_value, clean_note, ?, ? FROM upload_rows",
        [upload_id, clock.now()],
    )


def mark_retracted(con: store.Connection, upload_id: int, by: str) -> None:
    """Mark an upload retracted now (its values leave the board; nothing is deleted)."""
    con.execute(
        "UPDATE uploads SET retracted_at = ?, retracted_by = ? WHERE upload_id = ?",
        [clock.now(), by, upload_id],
    )


def values_in_force(
    con: store.Connection,
    metric_ids: Sequence[str] | None = None,
    *,
    segment: str = "",
    as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """One row per (metric, period): the newest value known (at ``as_of``, if given)."""
    filters = ["o.segment = ?"]
    params: list[object] = [segment]
    if metric_ids is not None:
        filters.append("list_contains(?, o.metric_id)")
        params.append(list(metric_ids))
    known, known_params = _known_at(as_of)
    filters.append(known)
    params.extend(known_params)
    frame = con.execute(
        "SELECT o.metric_id, o.period_start, arg_max(o.value, o.upload_id) AS value, "
        "arg_max(o.note, o.upload_id) AS note "
        "FROM observations o JOIN uploads u USING (upload_id) "
        f"WHERE {' AND '.join(filters)} "
        "GROUP BY o.metric_id, o.period_start ORDER BY o.metric_id, o.period_start",
        params,
    ).df()
    frame["period_start"] = frame["period_start"].dt.date
    return frame


def _known_at(as_of: dt.datetime | None) -> tuple[str, list[object]]:
    """The SQL filter (on observations o joined to uploads u) for values known at ``as_of``:
    recorded by then and not retracted by then; None means now."""
    if as_of is None:
        return "u.retracted_at IS NULL", []
    return "o.recorded_at <= ? AND (u.retracted_at IS NULL OR u.retracted_at > ?)", [as_of, as_of]


def newest_period(
    con: store.Connection, metric_ids: Sequence[str], *, before: dt.date, as_of: dt.datetime | None = None
) -> dt.date | None:
    """The newest period start before ``before`` with a value in force (at ``as_of``) for any of the metrics."""
    if not metric_ids:
        return None
    known, params = _known_at(as_of)
    row = con.execute(
        "SELECT max(o.period_start) FROM observations o JOIN uploads u USING (upload_id) "
        f"WHERE list_contains(?, o.metric_id) AND o.period_start < ? AND {known}",
        [list(metric_ids), before, *params],
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def last_upload(con: store.Connection) -> tuple[str, str, dt.datetime] | None:
    row = con.execute(
        "SELECT file_name, uploaded_by, uploaded_at FROM uploads ORDER BY upload_id DESC LIMIT 1"
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def upload_history(
    con: store.Connection, *, team: str | None = None, metric_id: str | None = None
) -> pd.DataFrame:
    """Every upload attempt, newest first, optionally for one team or one metric."""
    filters, params = ["TRUE"], []
    if team:
        filters.append("p.team = ?")
        params.append(team)
    if metric_id:
        filters.append("u.upload_id IN (SELECT DISTINCT upload_id FROM observations WHERE metric_id = ?)")
        params.append(metric_id)
    return con.execute(
        "SELECT u.upload_id AS upload, u.uploaded_at AS at, u.file_name AS file, u.uploaded_by AS by, "
        "p.team, u.source, u.outcome, u.row_count AS rows, CAST(u.error_counts AS VARCHAR) AS problems, "
        "u.retracted_at AS retracted "
        "FROM uploads u LEFT JOIN people p ON p.email = u.uploaded_by "
        f"WHERE {' AND '.join(filters)} ORDER BY u.upload_id DESC",
        params,
    ).df()


def upload_values(con: store.Connection, upload_id: int, limit: int = 1000) -> pd.DataFrame:
    return con.execute(
        "SELECT metric_id, period_start, segment, value, note FROM observations WHERE upload_id = ? "
        "ORDER BY metric_id, period_start, segment LIMIT ?",
        [upload_id, limit],
    ).df()
