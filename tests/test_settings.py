"""Every bad setting says so in one line: the setting, the value and what is allowed; exit 2 on the
command line, the same sentence on the page; never a traceback, a hang or a misleading message."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import config
from metrics.cli import main as cli
from metrics.errors import BadSetting
from tests.apptest import app_signed_in

ROOT = config.PROJECT_ROOT

BAD = [
    ("SCORECARD_LOCK_TIMEOUT", "15s", "a number of seconds, 0 or more"),
    ("SCORECARD_LOCK_TIMEOUT", "nan", "a number of seconds, 0 or more"),  # would wait forever
    ("SCORECARD_LOCK_TIMEOUT", "-5", "a number of seconds, 0 or more"),  # would be busy at once
    ("SCORECARD_DB", str(ROOT / "README.md" / "scorecard.duckdb"), "part of its folder is a file"),
    ("SCORECARD_DB", "/proc/scorecard.duckdb", "no database file can be created there"),
    ("SCORECARD_TODAY", "2026-13-01", "a date written YYYY-MM-DD"),
    ("SCORECARD_TODAY", "yesterday", "a date written YYYY-MM-DD"),
    ("SCORECARD_MAX_UPLOAD_MB", "abc", "a number of megabytes above 0"),
    ("SCORECARD_MAX_UPLOAD_MB", "0", "a number of megabytes above 0"),
    ("SCORECARD_MAX_UPLOAD_MB", "-1", "a number of megabytes above 0"),
    ("SCORECARD_MAX_ROWS", "abc", "a whole number of rows, 1 or more"),
    ("SCORECARD_MAX_ROWS", "1.5", "a whole number of rows, 1 or more"),
    ("SCORECARD_MAX_ROWS", "-1", "a whole number of rows, 1 or more"),
    ("SCORECARD_DEMO", "maybe", "1 (on) or 0 (off)"),
    ("SCORECARD_INGEST_MEMORY", "lots", "an amount such as 500MB or 1GB"),
]


@pytest.mark.parametrize(("env", "value", "allowed"), BAD, ids=[f"{e}={v}" for e, v, _ in BAD])
def test_a_bad_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: str, value: str, allowed: str
) -> None:
    monkeypatch.setenv(env, value)
    assert cli.main(["status"]) == 2
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and out.out == "", out
    assert lines[0].startswith(f"Setting not valid: {env}={value!r} is not allowed") and allowed in lines[0]


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "0", "false", "no", "off", "  ON "])
def test_the_demo_switch_takes_the_usual_words(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SCORECARD_DEMO", value)
    assert config.demo_enabled() is (value.strip().lower() in {"1", "true", "yes", "on"})


def test_good_values_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    for env, value in (("SCORECARD_LOCK_TIMEOUT", "0.5"), ("SCORECARD_MAX_UPLOAD_MB", "0.001")):
        monkeypatch.setenv(env, value)
    monkeypatch.setenv("SCORECARD_MAX_ROWS", "7")
    assert (config.lock_timeout(), config.max_upload_bytes(), config.max_rows()) == (0.5, 1048, 7)


def test_the_app_shows_the_same_sentence_instead_of_an_exception(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORECARD_TODAY", "yesterday")
    at = app_signed_in("alex.admin@example.com", "pages/board.py")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("SCORECARD_TODAY='yesterday' is not allowed" in e for e in errors), errors


@pytest.mark.parametrize("value", ["0", "ten", "-3"])
def test_a_bad_object_store_timeout_is_said_when_the_lake_is_chosen(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SCORECARD_STORE", "ducklake")
    monkeypatch.setenv("SCORECARD_LAKE_CATALOG", "host=db dbname=scorecard user=scorecard")
    monkeypatch.setenv("SCORECARD_LAKE_DATA", "s3://bucket/scorecard/")
    monkeypatch.setenv("SCORECARD_S3_TIMEOUT", value)
    with pytest.raises(BadSetting) as caught:
        config.check_all()
    assert caught.value.message.startswith(f"SCORECARD_S3_TIMEOUT={value!r} is not allowed")
    monkeypatch.setenv("SCORECARD_S3_TIMEOUT", "4")
    assert config.lake_settings().s3_timeout_seconds == 4
