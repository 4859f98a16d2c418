"""Two app replicas on one DuckLake: a browser reads the board from each, and a value uploaded
from the command line shows on both (their caches follow the lake's newest snapshot)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, start_app, stop_app
from tests.known import W47_SHOWN

RESTATE = (
    "from metrics import access, store\n"
    "from metrics.uploads import ingest\n"
    "with store.connect() as con:\n"
    "    uma = access.require_person(con, 'uma.upload@example.com')\n"
    "body = b'metric_id,period_start,value\\nsessions,2026-11-16,261234\\n'\n"
    "assert ingest.ingest(body, 'late.csv', uma, source='cli').outcome == 'accepted'\n"
)


def _sessions(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".sc-card").filter(has_text="Website sessions").first


def test_two_replicas_on_one_lake_show_the_same_board_and_a_new_upload(
    page: Page, lake_demo: str, tmp_path: Path
) -> None:
    replicas = [start_app(tmp_path / f"unused-{i}.duckdb", tmp_path / f"replica-{i}.log") for i in range(2)]
    try:
        for replica in replicas:
            page.goto(replica.url)
            expect(_sessions(page)).to_contain_text(W47_SHOWN["Website sessions"], timeout=60_000)
        result = subprocess.run([sys.executable, "-c", RESTATE], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        for replica in replicas:
            page.goto(replica.url)
            expect(_sessions(page)).to_contain_text("261,234", timeout=60_000)
        assert not any((tmp_path / f"unused-{i}.duckdb").exists() for i in range(2))  # nothing in a file
    finally:
        for replica in replicas:
            stop_app(replica)
