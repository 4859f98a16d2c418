"""Values stored as an accepted upload stores them, for tests that need numbers on the board."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics import store
from metrics.uploads import observations


def add_values(
    con: store.Connection,
    rows: list[tuple[str, dt.date, float]],
    *,
    uploaded_by: str = "ivan.ops@example.com",
    file_name: str = "t.csv",
) -> int:
    """One accepted upload of (metric, period start, value) rows, no segment or note; its id."""
    frame = pd.DataFrame(
        {
            "metric_id": [r[0] for r in rows],
            "period_start": [r[1] for r in rows],
            "segment": [""] * len(rows),
            "value": [r[2] for r in rows],
            "note": [None] * len(rows),
        }
    )
    with store.transaction(con):
        upload_id = observations.add_upload(
            con,
            original=b"test",
            file_name=file_name,
            uploaded_by=uploaded_by,
            source="test",
            outcome="accepted",
            row_count=len(rows),
        )
        observations.append(con, frame, upload_id)
    return upload_id
