"""Uploads: one bad file per rule, all or nothing, restatements, duplicates, retraction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from metrics import access, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.errors import PermissionDenied
from metrics.packs import exports
from metrics.uploads import ingest, observations
from tests.known import W47_UPTIME

DATA = Path(__file__).resolve().parent / "data"
ADMIN, IVAN, UMA, BEA = (
    "alex.admin@example.com",
    "ivan.ops@example.com",
    "uma.upload@example.com",
    "bea.board@example.com",
)

# file, rule, words in the reason, line (None = the whole file), column, uploader, settings
BAD_FILES = [
    ("not_utf8_latin1.csv", "not_utf8", "must be UTF-8", 2, "file", ADMIN, {}),
    ("not_utf8_utf16.csv", "not_utf8", "must be UTF-8", 1, "file", ADMIN, {}),
    ("not_text_spreadsheet.csv", "not_text", "not a CSV text file", None, "file", ADMIN, {}),
    ("no_header.csv", "no_header", "first line must be the header", 1, "header", ADMIN, {}),
    ("missing_column.csv", "missing_column", "required column is missing", 1, "value", ADMIN, {}),
    ("duplicate_column.csv", "duplicate_column", "more than once", 1, "value", ADMIN, {}),
    ("unknown_column.csv", "unknown_column", "not a column of the metric CSV", 1, "colour", ADMIN, {}),
    ("wrong_field_count.csv", "wrong_field_count", "too many fields", 3, "row", ADMIN, {}),
    ("metric_id_missing.csv", "metric_id_missing", "metric_id is empty", 2, "metric_id", ADMIN, {}),
    ("metric_unknown.csv", "metric_unknown", "not a metric in the catalog", 3, "metric_id", ADMIN, {}),
    (
        "metric_not_agreed.csv",
        "metric_not_agreed",
        "not agreed by IT and marketing",
        2,
        "metric_id",
        ADMIN,
        {},
    ),
    ("wrong_team.csv", "wrong_team", "does not supply sessions", 2, "metric_id", IVAN, {}),
    ("period_not_date.csv", "period_not_date", "YYYY-MM-DD", 2, "period_start", ADMIN, {}),
    ("period_not_start.csv", "period_not_start", "must be a Monday", 2, "period_start", ADMIN, {}),
    (
        "period_not_ended.csv",
        "period_not_ended",
        "ends on Sun 29 Nov 2026; send its value from Mon 30 Nov 2026",
        3,
        "period_start",
        ADMIN,
        {},
    ),
    ("period_too_early.csv", "period_too_early", "starts before 01 Jan 2000", 3, "period_start", ADMIN, {}),
    ("value_not_number.csv", "value_not_number", "not a plain number", 2, "value", ADMIN, {}),
    ("count_too_large.csv", "count_too_large", "a count must be at most", 2, "value", ADMIN, {}),
    ("segment_too_long.csv", "segment_too_long", "at most 100 characters", 2, "segment", ADMIN, {}),
    ("segment_not_printable.csv", "segment_not_printable", "control character", 3, "segment", ADMIN, {}),
    ("value_not_finite.csv", "value_not_finite", "not a finite number", 2, "value", ADMIN, {}),
    (
        "value_out_of_range.csv",
        "value_out_of_range",
        "outside the allowed range 0 to 100",
        2,
        "value",
        ADMIN,
        {},
    ),
    ("value_not_whole.csv", "value_not_whole", "whole number", 2, "value", ADMIN, {}),
    ("duplicate_row.csv", "duplicate_row", "more than once in this file", 2, "metric_id", ADMIN, {}),
    ("note_too_long.csv", "note_too_long", "longer than 500 characters", 2, "note", ADMIN, {}),
    ("no_rows.csv", "no_rows", "no data rows", None, "file", ADMIN, {}),
    ("unreadable_csv.csv", "unreadable_csv", "lines end in different ways", None, "file", ADMIN, {}),
    (
        "file_too_large.csv",
        "file_too_large",
        "larger than",
        None,
        "file",
        ADMIN,
        {"SCORECARD_MAX_UPLOAD_MB": "0.001"},
    ),
    (
        "too_many_rows.csv",
        "too_many_rows",
        "more than 2 data rows",
        None,
        "file",
        ADMIN,
        {"SCORECARD_MAX_ROWS": "2"},
    ),
]


def _person(con: store.Connection, email: str) -> Person:
    person = access.get_person(con, email)
    assert person is not None
    return person


def _upload(
    demo_db: Path, name: str, email: str, *, folder: str = "good", **kw: object
) -> ingest.IngestResult:
    data = (DATA / folder / name).read_bytes()
    with store.connect(demo_db) as con:
        person = _person(con, email)
    return ingest.ingest(data, name, person, **kw)  # type: ignore[arg-type]


def _counts(demo_db: Path) -> dict[str, int]:
    with store.connect(demo_db) as con:
        return store.table_counts(con)


def _propose_unagreed_metric(demo_db: Path) -> None:
    with store.connect(demo_db) as con:
        base = next(m for m in catalog.load_seed().metrics if m.id == "organic_search_share")
        catalog.add_version(
            con,
            dataclasses.replace(base, id="ai_content_share", name="AI content share", cadence="weekly"),
            proposed_by=ADMIN,
            kind="new",
        )


def test_every_rule_has_its_own_bad_file() -> None:
    assert sorted(f[0] for f in BAD_FILES) == sorted(p.name for p in (DATA / "bad").glob("*.csv"))
    from metrics.uploads import rules as schemas

    row_rules = {r.id for r in schemas.rules(dt.date(2026, 11, 23))}
    assert row_rules <= {f[1] for f in BAD_FILES}


@pytest.mark.parametrize(
    ("name", "rule", "words", "line", "column", "email", "settings"), BAD_FILES, ids=[f[0] for f in BAD_FILES]
)
def test_bad_file_is_rejected_with_a_located_error_and_nothing_stored(
    demo_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    rule: str,
    words: str,
    line: int | None,
    column: str,
    email: str,
    settings: dict[str, str],
) -> None:
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    if rule == "metric_not_agreed":
        _propose_unagreed_metric(demo_db)
    before = _counts(demo_db)
    result = _upload(demo_db, name, email, folder="bad")
    assert result.outcome == "rejected"
    assert rule in result.counts
    errors = result.errors[result.errors["rule"] == rule]
    assert len(errors), result.errors
    first = errors.iloc[0]
    assert words in first["reason"]
    assert pd.isna(first["line"]) if line is None else int(first["line"]) == line
    assert first["column"] == column
    after = _counts(demo_db)
    assert after["observations"] == before["observations"]
    assert after["uploads"] == before["uploads"] + 1  # the attempt itself is recorded
    with store.connect(demo_db) as con:
        row = con.execute(
            "SELECT outcome, upload_id, error_counts, sha256 FROM uploads ORDER BY upload_id DESC LIMIT 1"
        ).fetchone()
        assert row is not None and row[0] == "rejected"
        kept = observations.original_bytes(con, row[1])
    sent = (DATA / "bad" / name).read_bytes()
    # the attempt keeps the file (compressed) to check again later; over the size cap, only its hash
    assert kept == (None if rule == "file_too_large" else sent)
    assert row[3] == hashlib.sha256(sent).hexdigest()
    assert rule in row[2]


def test_value_rules_report_every_failing_cell(demo_db: Path) -> None:
    result = _upload(demo_db, "value_not_number.csv", ADMIN, folder="bad")
    values = result.errors[result.errors["rule"] == "value_not_number"]
    assert list(values["line"]) == [2, 3, 4, 5, 6]
    assert list(values["value"]) == ["ten", "1,234", "12%", "1_000", "+-5"]
    assert result.counts["value_not_number"] == 5
    dates = _upload(demo_db, "period_not_date.csv", ADMIN, folder="bad")
    assert list(dates.errors["value"]) == ["16/11/2026", "2026/11/09", "2026-11-2"]
    finite = _upload(demo_db, "value_not_finite.csv", ADMIN, folder="bad")
    assert list(finite.errors["value"]) == ["NaN", "inf", "1e400"]


def test_good_file_is_previewed_then_stored_in_one_upload(demo_db: Path) -> None:
    preview = _upload(demo_db, "weekly_restatement.csv", IVAN, dry_run=True)
    assert preview.outcome == "checked", preview.errors
    assert (preview.row_count, preview.new_values, len(preview.restated)) == (3, 2, 1)
    restated = preview.restated.iloc[0]
    assert restated["metric_id"] == "site_uptime" and restated["new_value"] == 99.41
    assert restated["old_value"] == pytest.approx(W47_UPTIME, abs=1e-3)
    assert _counts(demo_db)["uploads"] == 1  # a dry run stores nothing
    stored = _upload(demo_db, "weekly_restatement.csv", IVAN)
    assert stored.outcome == "accepted" and stored.upload_id is not None
    with store.connect(demo_db) as con:
        rows = con.execute(
            "SELECT count(*) FROM observations WHERE upload_id = ?", [stored.upload_id]
        ).fetchone()
        current = observations.values_in_force(con, ["site_uptime"])
        history = con.execute(
            "SELECT value FROM observations WHERE metric_id = 'site_uptime' AND period_start = DATE '2026-11-16' "
            "AND segment = '' ORDER BY upload_id"
        ).fetchall()
    assert rows == (3,)
    latest = current[current["period_start"] == dt.date(2026, 11, 16)]["value"].iloc[0]
    assert latest == 99.41
    assert [h[0] for h in history] == [pytest.approx(W47_UPTIME, abs=1e-3), 99.41]  # the old value is kept


def test_utf8_bom_and_crlf_and_header_case_are_forgiven(demo_db: Path) -> None:
    assert _upload(demo_db, "utf8_bom.csv", IVAN).outcome == "accepted"
    assert _upload(demo_db, "weekly_restatement.csv", IVAN).outcome == "accepted"


def test_same_bytes_again_are_recognised_and_not_stored_twice(demo_db: Path) -> None:
    first = _upload(demo_db, "weekly_restatement.csv", IVAN)
    before = _counts(demo_db)["observations"]
    again = _upload(demo_db, "weekly_restatement.csv", ADMIN)
    assert again.outcome == "duplicate"
    assert f"upload {first.upload_id}" in again.message and IVAN in again.message
    assert _counts(demo_db)["observations"] == before


def test_concurrent_double_submit_stores_one_upload(demo_db: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: _upload(demo_db, "weekly_restatement.csv", IVAN), range(2)))
    assert sorted(r.outcome for r in results) == ["accepted", "duplicate"]
    with store.connect(demo_db) as con:
        accepted = con.execute(
            "SELECT count(*) FROM uploads WHERE outcome = 'accepted' AND source = 'page'"
        ).fetchone()
    assert accepted == (1,)


def test_retracting_brings_the_previous_value_back_and_deletes_nothing(demo_db: Path) -> None:
    stored = _upload(demo_db, "weekly_restatement.csv", IVAN)
    assert stored.upload_id is not None
    with store.connect(demo_db) as con:
        with pytest.raises(PermissionDenied):
            ingest.retract(con, stored.upload_id, _person(con, UMA))  # another team
        with pytest.raises(PermissionDenied):
            ingest.retract(con, stored.upload_id, _person(con, BEA))  # the board
        ingest.retract(con, stored.upload_id, _person(con, IVAN))
        current = observations.values_in_force(con, ["site_uptime"])
        kept = con.execute(
            "SELECT count(*) FROM observations WHERE upload_id = ?", [stored.upload_id]
        ).fetchone()
    value = current[current["period_start"] == dt.date(2026, 11, 16)]["value"].iloc[0]
    assert value == pytest.approx(W47_UPTIME, abs=1e-3)
    assert kept == (3,)


def test_the_preview_compares_with_the_value_in_force_not_a_retracted_one(demo_db: Path) -> None:
    stored = _upload(demo_db, "weekly_restatement.csv", IVAN)
    assert stored.upload_id is not None
    with store.connect(demo_db) as con:
        ingest.retract(con, stored.upload_id, _person(con, IVAN))  # 99.41 is withdrawn
    again = _upload(demo_db, "weekly_restatement.csv", IVAN, dry_run=True)
    assert again.restated_count == 1  # still a restatement of the week's earlier value
    restated = again.restated.iloc[0]
    assert restated["old_value"] == pytest.approx(W47_UPTIME, abs=1e-3)  # not 99.41, which is retracted


@pytest.mark.parametrize("email", [BEA, "priya.cio@example.com", "dana.it@example.com"])
def test_only_uploaders_and_admins_may_upload(demo_db: Path, email: str) -> None:
    before = _counts(demo_db)
    with pytest.raises(PermissionDenied):
        _upload(demo_db, "weekly_restatement.csv", email)
    assert _counts(demo_db) == before


def test_error_report_download_is_safe_from_formula_injection() -> None:
    frame = pd.DataFrame({"line": [2, 3], "value": ['=HYPERLINK("x")', "-5"], "reason": ["@SUM(A1)", "ok"]})
    text = exports.safe_csv(frame).decode()
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-5" in text
    numbers = exports.safe_csv(pd.DataFrame({"value": [-5.0, 3.0]})).decode()
    assert "-5.0" in numbers and "'-5" not in numbers


def test_a_rejected_file_can_be_checked_again_after_the_definition_is_agreed(demo_db: Path) -> None:
    _propose_unagreed_metric(demo_db)
    rejected = _upload(demo_db, "metric_not_agreed.csv", ADMIN, folder="bad")
    assert rejected.outcome == "rejected" and rejected.upload_id is not None
    assert ingest.recheck(rejected.upload_id, path=demo_db).outcome == "rejected"
    with store.connect(demo_db) as con:
        entry = next(e for e in catalog.entries(con) if e.definition.id == "ai_content_share")
        for side, signer in (("it", "dana.it@example.com"), ("marketing", "sam.marketing@example.com")):
            catalog.record_signature(
                con,
                "ai_content_share",
                entry.version,
                side=side,
                signer=signer,
                content_hash=entry.definition.content_hash(),
            )
    again = ingest.recheck(rejected.upload_id, path=demo_db)
    assert again.outcome == "checked", again.errors


def test_every_row_of_the_wrong_width_is_reported_not_only_the_first(demo_db: Path) -> None:
    result = _upload(demo_db, "wrong_field_count.csv", ADMIN, folder="bad")
    assert result.outcome == "rejected"
    widths = result.errors[result.errors["rule"] == "wrong_field_count"]
    assert list(widths["line"]) == [3, 4]  # one field too many on line 3, one too few on line 4
    assert result.counts == {"wrong_field_count": 2}
