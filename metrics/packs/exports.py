"""Downloads that open safely in a spreadsheet (no formula injection)."""

from __future__ import annotations

import io
import numbers

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Numbers stay numbers; text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, numbers.Number) or value is None:
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def safe_csv(frame: pd.DataFrame) -> bytes:
    cleaned = frame.copy()
    for column in cleaned.columns:
        if cleaned[column].dtype == object or pd.api.types.is_string_dtype(cleaned[column]):
            cleaned[column] = cleaned[column].map(safe_cell)
    buffer = io.StringIO()
    cleaned.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
