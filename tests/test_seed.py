from __future__ import annotations

from pathlib import Path

from metrics import access, store
from metrics.catalog import definitions as catalog
from metrics.seed import first_start as seed
from metrics.uploads import observations


def test_initialise_seeds_once_and_is_safe_to_repeat(db_path: Path) -> None:
    first = seed.initialise(db_path, demo_data=True)
    assert first.seeded_catalog and first.demo_rows > 1000
    second = seed.initialise(db_path, demo_data=True)
    assert not second.seeded_catalog and second.demo_rows == 0
    with store.connect(db_path) as con:
        counts = store.table_counts(con)
    assert counts["observations"] == first.demo_rows
    assert counts["uploads"] == 1
    assert counts["metric_versions"] == len(catalog.load_seed().metrics)


def test_without_demo_no_person_is_made_up_and_the_catalog_awaits_signatures(db_path: Path) -> None:
    seed.initialise(db_path, demo_data=False)
    with store.connect(db_path) as con:
        counts = store.table_counts(con)
        statuses = {e.status for e in catalog.entries(con)}
        board = catalog.board_entries(con)
    assert counts["observations"] == 0 and counts["glossary"] >= 20
    assert counts["people"] == 0 and counts["signatures"] == 0
    assert statuses == {"proposed"} and board == []


def test_demo_people_without_demo_values_sign_the_seed_catalog(db_path: Path) -> None:
    seed.initialise(db_path, demo_data=False, demo_people=True)
    with store.connect(db_path) as con:
        roles = {role for p in access.people(con) for role in p.roles}
        counts = store.table_counts(con)
        board = catalog.board_entries(con)
    assert roles == set(access.ROLES)
    assert counts["observations"] == 0 and len(board) == len(catalog.load_seed().metrics)


def test_demo_upload_keeps_its_original_bytes(con: store.Connection) -> None:
    row = con.execute(
        "SELECT file_name, upload_id, row_count, sha256, original_encoding FROM uploads"
    ).fetchone()
    assert row is not None
    file_name, upload_id, row_count, sha, encoding = row
    assert file_name == "demo-data.csv" and encoding == "zstd"
    original = observations.original_bytes(con, upload_id)
    assert original is not None
    assert original.decode("utf-8").startswith("metric_id,period_start,segment,value,note")
    assert original.decode("utf-8").count("\n") == row_count + 1
    import hashlib

    assert hashlib.sha256(original).hexdigest() == sha
