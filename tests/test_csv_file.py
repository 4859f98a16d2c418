"""Reading an upload once, in chunks: hash, rows, UTF-8, and the compressed copy that is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from metrics import store
from metrics.uploads import csv_file, observations
from metrics.uploads.csv_file import Limits

ROOMY = Limits(max_bytes=10**9, max_rows=10**9)
HEADER = b"metric_id,period_start,value\n"


@pytest.mark.parametrize(
    ("data", "rows"),
    [(HEADER, 0), (HEADER.rstrip(b"\n"), 0), (HEADER + b"a,b,c", 1), (HEADER + b"a,b,c\n" * 3, 3), (b"", 0)],
)
def test_rows_are_counted_with_or_without_a_final_newline(data: bytes, rows: int) -> None:
    assert csv_file.receive(data, ROOMY).rows == rows


def test_the_same_answers_from_memory_and_from_disk(tmp_path: Path) -> None:
    data = HEADER + b"site_uptime,2026-11-16,99.9,caf\xc3\xa9\n" * 300_000  # several chunks
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    in_memory, on_disk = csv_file.receive(data, ROOMY), csv_file.receive(path, ROOMY)
    assert in_memory.sha256 == on_disk.sha256 == hashlib.sha256(data).hexdigest()
    assert in_memory.rows == on_disk.rows == 300_000
    assert in_memory.problems == on_disk.problems == []
    assert on_disk.packed is not None and len(on_disk.packed) < len(data) / 10
    assert csv_file.unpack(on_disk.packed, csv_file.PACKING) == data


def test_a_character_split_across_chunks_is_fine_and_a_bad_byte_is_located() -> None:
    lines, rest = divmod(csv_file.CHUNK - len(HEADER) - 1, 64)
    body = b"x" * 63 + b"\n"  # short lines up to the boundary, so no line is over the cap
    body = body * lines + b"x" * rest + "é".encode() + b"\n"  # é straddles the boundary
    assert csv_file.receive(HEADER + body, ROOMY).problems == []
    bad = HEADER + body + b"ok\n" * 5 + b"caf\xe9\n"
    problem = csv_file.receive(bad, ROOMY).problems[0]
    assert (problem["rule"], problem["line"], problem["value"]) == (
        "not_utf8",
        1 + lines + 1 + 5 + 1,
        "\\xe9",
    )  # header, the short lines, the line with é, 5 x ok, then caf\xe9


def test_a_file_over_the_size_cap_is_hashed_but_not_kept() -> None:
    data = HEADER + b"a,b,c\n" * 100
    received = csv_file.receive(data, Limits(max_bytes=100, max_rows=10))
    assert received.packed is None and received.sha256 == hashlib.sha256(data).hexdigest()
    assert [p["rule"] for p in received.problems] == ["file_too_large"]


def test_files_kept_before_compression_still_read_back(db_path: Path) -> None:
    """Schema 7 added original_encoding; rows kept by schema 6 are 'identity' and read as they are."""
    older = tuple(m for m in store.MIGRATIONS if m.version < 7)
    with store.connect(db_path, migrations=older) as con:
        con.execute(
            "INSERT INTO uploads (sha256, file_name, uploaded_by, uploaded_at, source, outcome, original) "
            "VALUES ('x', 'old.csv', 'a@example.com', now()::TIMESTAMP, 'page', 'accepted', ?)",
            [b"metric_id,period_start,value\n"],
        )
    with store.connect(db_path) as con:
        assert observations.original_bytes(con, 1) == b"metric_id,period_start,value\n"
        new_id = observations.add_upload(
            con,
            original=b"new bytes",
            file_name="n.csv",
            uploaded_by="a@example.com",
            source="page",
            outcome="rejected",
            row_count=None,
        )
        assert observations.original_bytes(con, new_id) == b"new bytes"
        encodings = con.execute("SELECT original_encoding FROM uploads ORDER BY upload_id").fetchall()
    assert encodings == [("identity",), ("zstd",)]
