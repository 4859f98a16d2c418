"""PDFs in DejaVu Sans: names and notes in any script come out as written; Helvetica (Latin-1) without it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF

from metrics import access, pdf_fonts, store
from metrics.board import commentary
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.okrs import brief, progress
from metrics.okrs import objectives as okrs
from metrics.packs import gather as pack
from tests.clocks import move_clock
from tests.conftest import TODAY

LUKASZ = access.Person("łukasz.żółć@example.com", "Łukasz Żółć", "it_operations", ("it_approver",))
HA = access.Person("nguyễn.thị.hà@example.com", "Nguyễn Thị Hà", "marketing_analytics", ("executive",))
NOTE = "≥ 5 % — on track →"
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _dejavu_is_installed() -> None:
    if pdf_fonts.font_files(pdf_fonts.font_dir(), "BI") is None:
        pytest.fail("DejaVu Sans is needed for the PDFs: apt-get install fonts-dejavu-core")


def _text(data: bytes, tmp_path: Path, name: str) -> str:
    """What a reader copies out of the PDF, whitespace (and line breaks) as single spaces."""
    assert data.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def _fonts(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def _lukasz_owns_cost_per_lead_in_euro(con: store.Connection) -> None:
    """Łukasz becomes the IT owner of cost per lead, now counted in €, signs it and writes a note."""
    access.upsert_person(con, LUKASZ)
    base = next(d for d in catalog.load_seed().metrics if d.id == "cost_per_lead")
    changed = dataclasses.replace(base, it_owner=LUKASZ.email, unit_label="€")
    version = catalog.add_version(con, changed, proposed_by=LUKASZ.email)
    for side, signer in (("it", LUKASZ.email), ("marketing", "sam.marketing@example.com")):
        catalog.record_signature(
            con, changed.id, version, side=side, signer=signer, content_hash=changed.content_hash()
        )
    commentary.write(con, LUKASZ, "cost_per_lead", OCTOBER, NOTE)


def _pack_pdf(con: store.Connection) -> bytes:
    return pack.build(pack.gather(con, TODAY, board.latest_period(TODAY)), "pdf")


def _brief_with_ha_checking_in(con: store.Connection, monkeypatch: pytest.MonkeyPatch) -> brief.Brief:
    """Hà owns an objective titled with an arrow and checks in during 2026-W47."""
    access.upsert_person(con, HA)
    draft = okrs.ObjectiveDraft(
        "Lift the basket → 90 €",
        "2026-Q4",
        "priya.cio@example.com",
        HA.email,
        (
            progress.KeyResultSpec("average_order_value", 85, 90, dt.date(2026, 12, 31)),
            progress.KeyResultSpec("conversion_rate", 3.0, 3.6, dt.date(2026, 12, 31)),
        ),
    )
    saved = okrs.save(con, access.require_person(con, "priya.cio@example.com"), draft, today=TODAY)
    for person in (access.require_person(con, "priya.cio@example.com"), HA):
        okrs.accept(con, person, saved.objective_id)
    with monkeypatch.context() as thursday:
        move_clock(thursday, dt.datetime(2026, 11, 19, 10, 30))
        okrs.check_in(con, HA, saved.objective_id, 7, NOTE)
    return brief.gather(con, brief.parse_week("2026-W47"), TODAY)


def test_the_pack_shows_names_notes_and_units_as_written(con: store.Connection, tmp_path: Path) -> None:
    _lukasz_owns_cost_per_lead_in_euro(con)
    data = _pack_pdf(con)
    text = _text(data, tmp_path, "pack.pdf")
    assert f"Cost per lead (Oct 2026), {LUKASZ.name}: {NOTE}" in text  # the owners' notes, by name
    assert f"owners {LUKASZ.name} and Marco Silva (CMO)" in text  # the appendix
    assert "71.19 €" in text  # the tile and the table
    assert "Customer journey: 253,153 website sessions → 1.1%" in text  # the pack's own arrows
    assert "?ukasz" not in text and "? 5 %" not in text
    assert "DejaVuSans" in _fonts(data, tmp_path)


def test_the_brief_shows_names_titles_and_check_ins_as_written(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made = _brief_with_ha_checking_in(con, monkeypatch)
    text = _text(brief.pdf(made), tmp_path, "brief.pdf")
    assert f"Check-in on Lift the basket → 90 €, {HA.name} (confidence 7/10): {NOTE}" in text
    assert "Weekly check-in brief, 2026-W47 (16 Nov – 22 Nov 2026)" in text
    assert brief.pdf(made) == brief.pdf(made)  # still the same bytes every time


def test_without_the_font_pdfs_fall_back_to_latin1_and_say_so(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv("SCORECARD_PDF_FONT_DIR", str(empty))
    _lukasz_owns_cost_per_lead_in_euro(con)
    with caplog.at_level(logging.WARNING, logger="metrics.pdf_fonts"):
        packed = _pack_pdf(con)
        made = brief.pdf(_brief_with_ha_checking_in(con, monkeypatch))
    pack_text, brief_text = _text(packed, tmp_path, "pack.pdf"), _text(made, tmp_path, "brief.pdf")
    assert "Cost per lead (Oct 2026), ?ukasz ?ó??: ? 5 % - on track ->" in pack_text
    assert "71.19 ?" in pack_text
    ha_checks_in = "Check-in on Lift the basket -> 90 ?, Nguy?n Th? Hà (confidence 7/10)"
    assert f"{ha_checks_in}: ? 5 % - on track ->" in brief_text
    for data in (packed, made):
        assert "Helvetica" in _fonts(data, tmp_path) and "DejaVu" not in _fonts(data, tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.name == "metrics.pdf_fonts"]
    assert len(warnings) == 1 and str(empty) in warnings[0] and "fonts-dejavu-core" in warnings[0]


def test_the_font_folder_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in pdf_fonts.FILES.values():
        shutil.copy(pdf_fonts.font_dir() / name, tmp_path / name)
    monkeypatch.setenv("SCORECARD_PDF_FONT_DIR", str(tmp_path))
    assert pdf_fonts.font_dir() == tmp_path
    face = pdf_fonts.install(FPDF(), "B", {})
    assert face.family == pdf_fonts.FAMILY and face.is_unicode
    (tmp_path / pdf_fonts.FILES["B"]).unlink()  # one style missing: no half-Unicode document
    assert pdf_fonts.install(FPDF(), "B", {}).family == pdf_fonts.FALLBACK_FAMILY


def test_characters_the_font_lacks_become_a_question_mark() -> None:
    face = pdf_fonts.install(FPDF(), "B", {})
    assert face.text("Łukasz Żółć, Nguyễn Thị Hà: ≥ 5 % — on track → €") == (
        "Łukasz Żółć, Nguyễn Thị Hà: ≥ 5 % — on track → €"
    )
    assert face.text("東京\nok") == "??\nok"  # DejaVu Sans has no CJK; fpdf2 would drop them silently


def test_a_long_metric_name_is_cut_to_its_tile_not_drawn_over_the_next(
    con: store.Connection, tmp_path: Path
) -> None:
    base = next(d for d in catalog.load_seed().metrics if d.id == "sessions")
    long = dataclasses.replace(base, name="Website sessions from every market, app and partner site (all)")
    version = catalog.add_version(con, long, proposed_by="dana.it@example.com")
    for side, signer in (("it", "dana.it@example.com"), ("marketing", "sam.marketing@example.com")):
        catalog.record_signature(
            con, long.id, version, side=side, signer=signer, content_hash=long.content_hash()
        )
    path = tmp_path / "long.pdf"
    path.write_bytes(_pack_pdf(con))
    board_page = subprocess.run(
        ["pdftotext", "-f", "3", "-l", "3", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    (tile_name,) = [line for line in board_page.splitlines() if line.startswith("Website sessions")]
    assert tile_name.endswith("…") and len(tile_name) < len(long.name)
    assert "partner site" not in board_page  # the rest would have run into the next tile
