"""AppTest: the Upload and Upload history pages, for the roles that see them."""

from __future__ import annotations

from pathlib import Path

from metrics import store
from tests.apptest import app_as

DATA = Path(__file__).resolve().parent / "data"
IVAN = "ivan.ops@example.com"


def _upload(at, name: str, folder: str):  # type: ignore[no-untyped-def]
    at.file_uploader[0].upload(name, (DATA / folder / name).read_bytes(), "text/csv").run()
    return at


def test_good_file_shows_a_preview_then_stores_once(demo_db: Path) -> None:
    at = _upload(app_as(IVAN, "pages/upload.py"), "weekly_restatement.csv", "good")
    assert not at.exception
    assert any("passed every check" in s.value for s in at.success)
    assert [m.value for m in at.metric] == ["2", "1", "0"]
    at.button(key="store-upload").click().run()
    assert not at.exception
    assert any("Stored weekly_restatement.csv" in s.value for s in at.success)
    with store.connect(demo_db) as con:
        assert con.execute("SELECT count(*) FROM uploads WHERE outcome = 'accepted'").fetchone() == (2,)


def test_bad_file_shows_located_errors_and_is_recorded(demo_db: Path) -> None:
    at = _upload(app_as("alex.admin@example.com", "pages/upload.py"), "value_not_number.csv", "bad")
    assert not at.exception
    assert any("was rejected" in e.value for e in at.error)
    problems = at.dataframe[1].value
    assert list(problems["line"]) == [2, 3, 4, 5, 6]
    assert "not a plain number" in problems["reason"].iloc[0]
    assert at.get("download_button")
    with store.connect(demo_db) as con:
        assert con.execute("SELECT count(*) FROM uploads WHERE outcome = 'rejected'").fetchone() == (1,)


def test_history_lists_attempts_and_opens_a_rejected_one(demo_db: Path) -> None:
    _upload(app_as("alex.admin@example.com", "pages/upload.py"), "period_not_start.csv", "bad")
    at = app_as("alex.admin@example.com", "pages/uploads.py")
    assert not at.exception
    history = at.dataframe[0].value
    assert set(history["outcome"]) == {"accepted", "rejected"}
    at.selectbox(key="open-upload").set_value(int(history["upload"].iloc[0])).run()
    assert any("must be a Monday" in str(v) for v in at.dataframe[-1].value["reason"])


def test_board_member_has_no_upload_pages(demo_db: Path) -> None:
    import pytest

    at = app_as("bea.board@example.com")
    assert not at.exception
    for page in ("pages/upload.py", "pages/uploads.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_the_uploading_team_retracts_from_the_history_page(demo_db: Path) -> None:
    at = _upload(app_as(IVAN, "pages/upload.py"), "weekly_restatement.csv", "good")
    at.button(key="store-upload").click().run()
    at = app_as(IVAN, "pages/uploads.py")
    newest = int(at.dataframe[0].value["upload"].iloc[0])
    at.selectbox(key="open-upload").set_value(newest).run()
    retract = [b for b in at.button if b.label == "Retract this upload"]
    assert retract
    retract[0].click().run()
    assert not at.exception
    assert any(f"Upload {newest} retracted" in s.value for s in at.success)
    with store.connect(demo_db) as con:
        row = con.execute("SELECT retracted_by FROM uploads WHERE upload_id = ?", [newest]).fetchone()
    assert row == (IVAN,)
