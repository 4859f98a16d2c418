"""The uploaded file itself, checked before any parsing: size, text, UTF-8, header, row count.

Problems are plain dicts (line, column, value, rule, reason), the shape every
report in ``metrics.ingest`` uses.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass

from metrics import config

REQUIRED_COLUMNS = ("metric_id", "period_start", "value")
OPTIONAL_COLUMNS = ("segment", "note")
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")

Problem = dict[str, object]


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


def problem(line: int | None, column: str, value: str, rule: str, reason: str) -> dict[str, object]:
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
        return [], [problem(None, "file", size, "file_too_large", f"the file is larger than {cap}")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [], [problem(1, "file", "", "not_utf8", "the file must be UTF-8 (this one is UTF-16)")]
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:8192]:
        return [], [
            problem(
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
            problem(
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
            problem(
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
            problem(
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
            problem(
                1,
                "header",
                ",".join(names)[:80],
                "no_header",
                "the first line must be the header "
                f"row ({', '.join(REQUIRED_COLUMNS)}, optionally {', '.join(OPTIONAL_COLUMNS)})",
            )
        ]
    problems = [
        problem(1, name, name, "missing_column", "this required column is missing")
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    problems += [
        problem(1, name, name, "duplicate_column", "this column appears more than once")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += [
        problem(
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
