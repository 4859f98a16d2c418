"""The straight path (typed load + per-metric profile) against the careful path (every cell staged).

The straight path may only ever be a shortcut: it must never accept a file the
careful path rejects, and what it stores must be what the careful path stores.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from metrics import access, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.uploads import csv_file, ingest, loading, observations
from metrics.uploads import rules as schemas
from tests.known import W47_UPTIME

DATA = Path(__file__).resolve().parent / "data"
TODAY = dt.date(2026, 11, 23)
ADMIN = "alex.admin@example.com"

# A clean file touching every cadence, unit and bound: weekly percent and count,
# monthly ratio and currency, quarterly score with a negative lower bound.
CLEAN_ROWS = [
    ("site_uptime", "2026-11-16", "99.93", "", ""),
    ("site_uptime", "2026-11-09", "99.90", "eu", "after the failover drill"),
    ("sessions", "2026-11-16", "251000", "", ""),
    ("sessions", "2026-11-16", "1200", "mobile app", ""),
    ("crm_match_rate", "2026-10-01", "0.82", "", ""),
    ("cost_per_lead", "2026-10-01", "70.5", "", ""),
    ("nps", "2026-04-01", "-12", "", ""),
    ("nps", "2026-07-01", "41", "", "quarterly survey"),
]

# Cells a person or a broken export might put in a column; some are fine.
NASTY = {
    "metric_id": ["", " site_uptime", "Site_Uptime", "no_such_metric", "sessions"],
    "period_start": [
        "2026-11-17",
        "2026/11/16",
        "2026-11-2",
        "16/11/2026",
        "2027-01-04",
        " 2026-11-16",
        "2026-10-01",
        "2026-11-9 ",
        "2026-10-1x",
        "2026-11-9\t",
        "2026-02-30",
    ],
    "value": [
        "ten",
        "1,234",
        "12%",
        "1_000",
        "+-5",
        "NaN",
        "inf",
        "1e400",
        "-1",
        "100.5",
        "0.5",
        "1e3",
        " 42 ",
        "",
    ],
    "segment": [" eu ", "eu", "", "mobile app"],
    "note": ["x" * 501, "x" * 500, '=HYPERLINK("x")', ""],
}
COLUMNS = ("metric_id", "period_start", "value", "segment", "note")


def _csv(rows: Sequence[tuple[str, ...]]) -> bytes:
    lines = ["metric_id,period_start,value,segment,note"]
    lines += [",".join(f'"{cell}"' if "," in cell or '"' in cell else cell for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _admin(db: Path) -> Person:
    with store.connect(db) as con:
        person = access.get_person(con, ADMIN)
    assert person is not None
    return person


def _careful_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_straight", lambda *args, **kwargs: False)


def _stored(db: Path, upload_id: int | None) -> list[tuple[object, ...]]:
    with store.connect(db) as con:
        return con.execute(
            "SELECT metric_id, period_start, segment, value, note FROM observations WHERE upload_id = ? "
            "ORDER BY ALL",
            [upload_id],
        ).fetchall()


def test_a_clean_file_takes_the_straight_path_and_stores_what_the_careful_path_stores(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "careful.duckdb"
    shutil.copy(demo_db, other)
    data = _csv(CLEAN_ROWS)
    straight = ingest.ingest(data, "clean.csv", _admin(demo_db), path=demo_db, today=TODAY)
    assert (straight.outcome, straight.path_taken, straight.row_count) == ("accepted", "straight", 8)
    _careful_only(monkeypatch)
    careful = ingest.ingest(data, "clean.csv", _admin(other), path=other, today=TODAY)
    assert (careful.outcome, careful.path_taken) == ("accepted", "careful")
    assert _stored(demo_db, straight.upload_id) == _stored(other, careful.upload_id)
    assert (straight.new_values, straight.restated_count, straight.unchanged) == (
        careful.new_values,
        careful.restated_count,
        careful.unchanged,
    )


def test_padded_cells_fall_back_to_the_careful_path_which_trims_them(demo_db: Path) -> None:
    data = _csv([(" site_uptime ", " 2026-11-16", "99.93", " eu ", "")])
    result = ingest.ingest(data, "padded.csv", _admin(demo_db), path=demo_db, today=TODAY)
    assert (result.outcome, result.path_taken) == ("accepted", "careful")
    assert _stored(demo_db, result.upload_id) == [("site_uptime", dt.date(2026, 11, 16), "eu", 99.93, None)]


def test_every_bad_value_file_is_refused_by_the_load_or_broken_in_the_profile(demo_db: Path) -> None:
    """Each row rule's straight form fails on its own bad file: the load refuses the rules with
    no profile form (empty metric, unparseable date or number); the profile breaks the others."""
    today_rules = schemas.rules(TODAY)
    checked = set()
    for rule in today_rules:
        path = DATA / "bad" / f"{rule.id}.csv"
        with store.connect(demo_db) as con:
            if rule.id == "metric_not_agreed":
                base = next(m for m in catalog.load_seed().metrics if m.id == "organic_search_share")
                import dataclasses

                catalog.add_version(
                    con,
                    dataclasses.replace(
                        base, id="ai_content_share", name="AI content share", cadence="weekly"
                    ),
                    proposed_by=ADMIN,
                    kind="new",
                )
            email = "ivan.ops@example.com" if rule.id == "wrong_team" else ADMIN
            person = access.get_person(con, email)
            assert person is not None
            facts = schemas.catalog_facts(catalog.entries(con, TODAY), person)
            names = csv_file.receive(path, csv_file.Limits(10**9, 10**9)).names
            table = loading.make_dry_run_table(con)
            if rule.per_metric is None:
                with pytest.raises(loading.REFUSALS):
                    loading.load(con, path, names, table, 0)
            else:
                loading.load(con, path, names, table, 0)
                profile = loading.profile(con, table, 0, facts)
                assert rule.id in schemas.profile_breaks(today_rules, profile), profile.T
        if rule.per_metric is None:
            checked.add(rule.id)
    # only these rules rely on the load refusing a row; every other one has a per-metric form
    assert checked == {"metric_id_missing", "period_not_date", "value_not_number"}


def test_the_profile_of_a_clean_file_breaks_no_rule(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_bytes(_csv(CLEAN_ROWS))
    with store.connect(demo_db) as con:
        facts = schemas.catalog_facts(catalog.entries(con, TODAY), _admin(demo_db))
        table = loading.make_dry_run_table(con)
        assert loading.load(con, path, list(COLUMNS), table, 0) == len(CLEAN_ROWS)
        profile = loading.profile(con, table, 0, facts)
    assert schemas.profile_breaks(schemas.rules(TODAY), profile) == []
    assert set(profile["metric_id"]) == {r[0] for r in CLEAN_ROWS}
    nps = profile[profile["metric_id"] == "nps"].iloc[0]
    assert (nps["rows"], nps["lowest"], nps["highest"], nps["not_quarter_month"]) == (2, -12, 41, 0)


@pytest.mark.parametrize("seed", range(12))
def test_randomly_spoiled_files_get_the_same_verdict_on_both_paths(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """A clean file with a few cells replaced by nasty ones: the straight path (with the careful
    one behind it) and the careful path alone agree on the outcome, the counts per rule and,
    when accepted, on every stored value."""
    rng = random.Random(seed)
    rows = [list(row) for row in CLEAN_ROWS]
    for _ in range(rng.randint(1, 3)):
        column = rng.choice(COLUMNS)
        rows[rng.randrange(len(rows))][COLUMNS.index(column)] = rng.choice(NASTY[column])
    data = _csv([tuple(row) for row in rows])
    other = tmp_path / "careful.duckdb"
    shutil.copy(demo_db, other)
    both = ingest.ingest(data, "spoiled.csv", _admin(demo_db), path=demo_db, today=TODAY)
    _careful_only(monkeypatch)
    careful = ingest.ingest(data, "spoiled.csv", _admin(other), path=other, today=TODAY)
    assert both.outcome == careful.outcome, (rows, both.errors, careful.errors)
    assert both.counts == careful.counts
    if both.outcome == "accepted":
        assert _stored(demo_db, both.upload_id) == _stored(other, careful.upload_id)
    else:
        pd.testing.assert_frame_equal(both.errors, careful.errors)


def test_a_dry_run_writes_nothing_and_uses_no_upload_number(demo_db: Path) -> None:
    data = _csv(CLEAN_ROWS)
    with store.connect(demo_db) as con:
        before = store.table_counts(con)
    preview = ingest.ingest(data, "clean.csv", _admin(demo_db), path=demo_db, today=TODAY, dry_run=True)
    assert (preview.outcome, preview.path_taken) == ("checked", "straight")
    assert preview.new_values + preview.restated_count + preview.unchanged == len(CLEAN_ROWS)
    with store.connect(demo_db) as con:
        assert store.table_counts(con) == before
        last = con.execute("SELECT max(upload_id) FROM uploads").fetchone()
    stored = ingest.ingest(data, "clean.csv", _admin(demo_db), path=demo_db, today=TODAY)
    assert last is not None and stored.upload_id == last[0] + 1


def test_a_restatement_preview_lists_old_and_new_values(demo_db: Path) -> None:
    data = _csv([("site_uptime", "2026-11-16", "99.41", "", "restated")])
    preview = ingest.ingest(data, "r.csv", _admin(demo_db), path=demo_db, today=TODAY, dry_run=True)
    assert (preview.path_taken, preview.new_values, preview.restated_count, preview.unchanged) == (
        "straight",
        0,
        1,
        0,
    )
    row = preview.restated.iloc[0]
    assert (row["metric_id"], row["period_start"], row["new_value"]) == (
        "site_uptime",
        dt.date(2026, 11, 16),
        99.41,
    )
    assert row["old_value"] == pytest.approx(W47_UPTIME, abs=1e-3)


def test_the_command_line_path_reads_the_file_from_disk(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_bytes(_csv(CLEAN_ROWS))
    result = ingest.ingest(None, path.name, _admin(demo_db), path=demo_db, csv_path=path, today=TODAY)
    assert (result.outcome, result.path_taken) == ("accepted", "straight")
    with store.connect(demo_db) as con:
        assert observations.original_bytes(con, result.upload_id or 0) == path.read_bytes()


@pytest.mark.parametrize(
    "data",
    [
        b"metric_id,period_start,value\n",
        b"metric_id,period_start,value\n\n\n",
        b"metric_id,period_start,value\r\n",
    ],
    ids=["header only", "header and blank lines", "header only, CRLF"],
)
def test_a_file_without_data_rows_is_rejected_not_stored_empty(demo_db: Path, data: bytes) -> None:
    result = ingest.ingest(data, "empty.csv", _admin(demo_db), path=demo_db, today=TODAY)
    assert (result.outcome, result.counts) == ("rejected", {"no_rows": 1})


def test_a_file_name_with_pattern_characters_is_read_as_itself(demo_db: Path, tmp_path: Path) -> None:
    """DuckDB reads * ? [ ] { } in a path as a pattern of many files."""
    mine = tmp_path / "week [v2].csv"
    mine.write_bytes(_csv([("site_uptime", "2026-11-16", "99.91", "", "")]))
    for neighbour in ("week v.csv", "week 2.csv"):
        (tmp_path / neighbour).write_bytes(_csv([("site_uptime", "2026-11-02", "13", "", "")]))
    result = ingest.ingest(None, mine.name, _admin(demo_db), path=demo_db, csv_path=mine, today=TODAY)
    assert result.outcome == "accepted", result.message
    assert _stored(demo_db, result.upload_id) == [("site_uptime", dt.date(2026, 11, 16), "", 99.91, None)]


def test_a_file_that_falls_back_keeps_the_next_upload_number(demo_db: Path) -> None:
    with store.connect(demo_db) as con:
        last = con.execute("SELECT max(upload_id) FROM uploads").fetchone()
    assert last is not None
    half = _csv([("sessions", "2026-11-16", "0.5", "", "")])
    rejected = ingest.ingest(half, "half.csv", _admin(demo_db), path=demo_db, today=TODAY)
    assert (rejected.outcome, rejected.upload_id) == ("rejected", last[0] + 1)
    padded = _csv([(" site_uptime", "2026-11-16", "99.9", "", "")])
    stored = ingest.ingest(padded, "pad.csv", _admin(demo_db), path=demo_db, today=TODAY)
    assert (stored.outcome, stored.path_taken, stored.upload_id) == ("accepted", "careful", last[0] + 2)


@pytest.mark.parametrize("written", ["2026-11-9 ", "2026-10-1x", "2026-11-9\t", "2026-11-09T00:00"])
def test_a_date_that_does_not_read_back_as_written_is_refused_on_both_paths(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    """A cast alone reads '2026-10-1x' as 1 Oct and ignores a trailing space; neither is YYYY-MM-DD."""
    data = _csv(
        [("crm_match_rate" if written.startswith("2026-10") else "site_uptime", written, "0.8", "", "")]
    )
    straight = ingest.ingest(data, "d.csv", _admin(demo_db), path=demo_db, today=TODAY, dry_run=True)
    _careful_only(monkeypatch)
    careful = ingest.ingest(data, "d.csv", _admin(demo_db), path=demo_db, today=TODAY, dry_run=True)
    assert straight.counts == careful.counts == {"period_not_date": 1}
