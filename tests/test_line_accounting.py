"""Every line of a file is accounted for: an upload stores exactly the data rows the file has, or
refuses it naming the line. Bad files are generated here (a 40 MB line is no file to commit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import access, store
from metrics.uploads import csv_file, ingest

HEADER = b"metric_id,period_start,value,segment,note\n"
ROW = b"site_uptime,2026-11-09,99.9,,\n"
HUGE_NOTE = b'site_uptime,2026-11-02,99.8,,"' + b"x" * (40 * 1024 * 1024) + b'"\n'


def _ingest(demo_db: Path, data: bytes, *, on_disk: Path | None = None) -> ingest.IngestResult:
    with store.connect(demo_db) as con:
        admin = access.require_person(con, "alex.admin@example.com")
    if on_disk is not None:
        on_disk.write_bytes(data)
        return ingest.ingest(None, on_disk.name, admin, path=demo_db, csv_path=on_disk)
    return ingest.ingest(data, "f.csv", admin, path=demo_db)


def _stored_rows(demo_db: Path) -> int:
    with store.connect(demo_db) as con:
        return store.table_counts(con)["observations"]


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("a 40 MB note on the last line", HEADER + ROW + HUGE_NOTE, 3),
        ("a 40 MB line in the middle", HEADER + ROW + HUGE_NOTE + ROW.replace(b"11-09", b"11-16"), 3),
        ("a 40 MB only data line", HEADER + HUGE_NOTE, 2),
        ("a 40 MB line without a line end", HEADER + ROW + HUGE_NOTE.rstrip(b"\n"), 3),
    ],
)
@pytest.mark.parametrize("from_disk", [False, True], ids=["page", "command line"])
def test_a_line_far_longer_than_any_row_is_refused_with_its_number(
    demo_db: Path, tmp_path: Path, name: str, data: bytes, line: int, from_disk: bool
) -> None:
    before = _stored_rows(demo_db)
    result = _ingest(demo_db, data, on_disk=tmp_path / "big.csv" if from_disk else None)
    assert result.outcome == "rejected", name
    assert list(result.errors["rule"]) == ["line_too_long"]
    assert list(result.errors["line"]) == [line]
    assert "longer than 64 KB" in result.errors["reason"].iloc[0]
    assert _stored_rows(demo_db) == before


def test_a_long_note_under_the_line_cap_is_refused_by_its_own_rule_on_its_own_line(demo_db: Path) -> None:
    note = b'site_uptime,2026-11-02,99.8,,"' + b"y" * 60_000 + b'"\n'
    result = _ingest(demo_db, HEADER + ROW + note)
    assert (result.outcome, list(result.errors["rule"]), list(result.errors["line"])) == (
        "rejected",
        ["note_too_long"],
        [3],
    )


def test_a_quoted_value_running_over_two_lines_is_not_silently_one_row(demo_db: Path) -> None:
    """Three data lines, two rows: the reader would join lines 3 and 4 into one row."""
    data = HEADER + ROW + b'site_uptime,2026-11-02,99.8,,"first line\nsecond line"\n'
    result = _ingest(demo_db, data)
    assert result.outcome == "rejected"
    assert list(result.errors["rule"]) == ["rows_unaccounted"]
    assert list(result.errors["line"]) == [3]
    assert "3 data lines but 2 rows" in result.errors["reason"].iloc[0]


def test_the_cap_is_found_across_chunk_boundaries() -> None:
    """A line that starts near the end of one 1 MiB chunk and runs into the next."""
    filler = b"site_uptime,2026-11-09,99.9,,\n" * ((csv_file.CHUNK - 100) // len(ROW))
    long_line = b"x" * (csv_file.MAX_LINE_BYTES + 10) + b"\n"
    received = csv_file.first_look(HEADER + filler + long_line + ROW, csv_file.Limits(10**9, 10**9))
    assert received.long_line is not None
    assert received.long_line[0] == 1 + filler.count(b"\n") + 1
    fine = csv_file.first_look(
        HEADER + filler + b"x" * csv_file.MAX_LINE_BYTES + b"\n", csv_file.Limits(10**9, 10**9)
    )
    assert fine.long_line is None  # exactly the cap is still allowed


@pytest.mark.parametrize("length", [csv_file.MAX_LINE_BYTES + 1, 3 * csv_file.MAX_LINE_BYTES])
@pytest.mark.parametrize("ends_the_file", [False, True])
def test_the_cap_holds_wherever_the_long_line_sits(length: int, ends_the_file: bool) -> None:
    limits = csv_file.Limits(10**9, 10**9)
    for lead in (0, 1, 5000, csv_file.CHUNK - 3, csv_file.CHUNK + 7):
        rows, rest = divmod(lead, len(ROW))
        before = HEADER + ROW * rows + b"z" * rest + b"\n"  # the long line starts `lead` bytes in
        long_line = b"q" * length + (b"" if ends_the_file else b"\n" + ROW)
        found = csv_file.first_look(before + long_line, limits).long_line
        assert found is not None and found[0] == rows + 3, (lead, length)
