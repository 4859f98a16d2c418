"""The weekly check-in brief: its content for a seeded week, Markdown and PDF, keeping, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from metrics import access, store
from metrics.board import commentary
from metrics.board import timeline as events
from metrics.catalog import definitions as catalog
from metrics.cli import main as cli
from metrics.errors import InputRejected, PermissionDenied
from metrics.okrs import brief, progress
from metrics.okrs import objectives as okrs
from tests.clocks import move_clock
from tests.conftest import TODAY
from tests.test_okrs import DUE
from tests.values import add_values

W46, W47 = dt.date(2026, 11, 9), dt.date(2026, 11, 16)
WEEK = brief.parse_week("2026-W47")


def _person(con: store.Connection, email: str) -> access.Person:
    return access.require_person(con, email)


def _seed_the_week(con: store.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    """One of everything the brief gathers, in 2026-W47 (16-22 Nov)."""
    # site uptime: green in W46, red in W47
    add_values(con, [("site_uptime", W46, 99.95), ("site_uptime", W47, 99.0)])
    # a key result on track in W46 that slipped in W47, and one reaching its target in W47
    draft = okrs.ObjectiveDraft(
        "Sell more to members",
        "2026-Q4",
        "priya.cio@example.com",
        "marco.cmo@example.com",
        (
            progress.KeyResultSpec("conversion_rate", 3.0, 3.6, DUE),
            progress.KeyResultSpec("lead_signups", 2800, 3600, DUE),
        ),
    )
    saved = okrs.save(con, _person(con, "dana.it@example.com"), draft, today=TODAY)
    for email in ("priya.cio@example.com", "marco.cmo@example.com"):
        okrs.accept(con, _person(con, email), saved.objective_id)
    add_values(
        con,
        [("conversion_rate", W46, 3.7), ("conversion_rate", W47, 3.1), ("lead_signups", W47, 3650)],
    )
    # a new agreed metric nobody has sent values for yet: stale
    new = dataclasses.replace(catalog.load_seed().metrics[0], id="app_rating", name="App store rating")
    version = catalog.add_version(con, new, proposed_by="alex.admin@example.com", kind="new")
    for side, signer in (("it", "dana.it@example.com"), ("marketing", "sam.marketing@example.com")):
        catalog.record_signature(
            con, new.id, version, side=side, signer=signer, content_hash=new.content_hash()
        )
    # a change to churn waiting for signatures
    churn = next(d for d in catalog.load_seed().metrics if d.id == "churn_rate")
    catalog.add_version(con, dataclasses.replace(churn, target=2.2), proposed_by="sam.marketing@example.com")
    # the timeline and an owner's note, written during the week
    with monkeypatch.context() as thursday:
        move_clock(thursday, dt.datetime(2026, 11, 19, 10, 30))
        events.add(
            con,
            _person(con, "priya.cio@example.com"),
            events.NewEvent(dt.date(2026, 11, 18), "incident", "CDN *outage* [see](http://x.test) in EMEA"),
        )
        commentary.write(
            con, _person(con, "dana.it@example.com"), "site_uptime", W47, "CDN failover did not trigger"
        )


@pytest.fixture
def week_brief(con: store.Connection, monkeypatch: pytest.MonkeyPatch) -> brief.Brief:
    _seed_the_week(con, monkeypatch)
    return brief.gather(con, WEEK, TODAY)


def _lines(made: brief.Brief, title: str) -> tuple[str, ...]:
    return made.section(title).lines


def test_metrics_that_changed_status(week_brief: brief.Brief) -> None:
    lines = _lines(week_brief, "Metrics that changed status")
    assert any(line.startswith("Site uptime: on target → off target") for line in lines), lines
    assert all("→" in line for line in lines)


def test_key_results_that_slipped(week_brief: brief.Brief) -> None:
    (line,) = [x for x in _lines(week_brief, "Key results that slipped") if x.startswith("Sell more")]
    assert "Conversion rate: 17% of the way" in line and "off track" in line and line.endswith("was on track")


def test_wins_of_the_week_are_credited_to_both_teams(week_brief: brief.Brief) -> None:
    lines = _lines(week_brief, "Wins")
    assert any(
        "Lead sign-ups reached its target of 3,600 for “Sell more to members”" in x
        and "credit: IT operations and Marketing analytics" in x
        for x in lines
    ), lines
    assert any("Site uptime" in x for x in _lines(week_brief, "Wins")) is False  # it went red, not green


def test_stale_data_and_definitions(week_brief: brief.Brief) -> None:
    assert any(
        x.startswith("App store rating: newest value none yet") for x in _lines(week_brief, "Stale data")
    )
    waiting = _lines(week_brief, "Definitions waiting for a signature or due for review")
    assert any(
        x.startswith("Member churn: version 2 waits for signatures (change pending)") for x in waiting
    ), waiting
    assert any(x.startswith("Organic search share: due for review since 30 Sep 2026") for x in waiting)


def test_timeline_notes_and_check_ins(week_brief: brief.Brief) -> None:
    assert _lines(week_brief, "Incidents, releases and campaigns") == (
        "Wed 18 Nov: Incident: CDN *outage* [see](http://x.test) in EMEA",
    )
    notes = _lines(week_brief, "Owners' notes and check-ins")
    assert "Site uptime (16 Nov 2026), Dana Okafor: CDN failover did not trigger" in notes
    assert sum(x.startswith("Check-in on ") for x in notes) == 3  # the demo's, written that Thursday


def test_objectives_snapshot_counts_only_accepted_ones(
    week_brief: brief.Brief, con: store.Connection
) -> None:
    okrs.save(
        con,
        _person(con, "dana.it@example.com"),
        okrs.ObjectiveDraft(
            "Not agreed yet",
            "2026-Q4",
            "priya.cio@example.com",
            "marco.cmo@example.com",
            (progress.KeyResultSpec("nps", 36, 40, DUE), progress.KeyResultSpec("churn_rate", 3, 2.5, DUE)),
        ),
        today=TODAY,
    )
    again = brief.gather(con, WEEK, TODAY)
    titles = _lines(again, "Shared objectives")
    assert len(titles) == 4 and not any(t.startswith("Not agreed yet") for t in titles)


def test_a_quiet_week_says_so(con: store.Connection) -> None:
    quiet = brief.gather(con, brief.parse_week("2026-W20"), TODAY)
    assert _lines(quiet, "Incidents, releases and campaigns") == ()
    assert "_Nothing new on the timeline\\._" not in brief.markdown(quiet)  # '.' is not escaped
    assert "_Nothing new on the timeline._" in brief.markdown(quiet)


def test_markdown_shows_data_text_literally(week_brief: brief.Brief) -> None:
    text = brief.markdown(week_brief)
    assert text.startswith("# Weekly check-in brief, 2026-W47 (16 Nov – 22 Nov 2026)")
    assert "CDN \\*outage\\* \\[see\\](http://x.test) in EMEA" in text
    assert "*outage*" not in text and "[see](" not in text


def test_pdf_holds_the_same_content(week_brief: brief.Brief, tmp_path: Path) -> None:
    data = brief.pdf(week_brief)
    assert data.startswith(b"%PDF-")
    assert brief.pdf(week_brief) == data  # one brief always gives the same bytes
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext (poppler-utils) is needed: apt-get install poppler-utils")
    path = tmp_path / "brief.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Weekly check-in brief, 2026-W47" in text
    assert "Site uptime: on target → off target" in text
    assert "CDN *outage* [see](http://x.test) in EMEA" in text


def test_keeping_a_brief_keeps_both_files_and_the_wins(
    week_brief: brief.Brief, con: store.Connection
) -> None:
    with pytest.raises(PermissionDenied):
        brief.keep(con, _person(con, "bea.board@example.com"), week_brief)
    brief_id = brief.keep(con, _person(con, "marco.cmo@example.com"), week_brief)
    (listed,) = brief.kept(con)
    assert (listed.brief_id, listed.week, listed.made_by) == (brief_id, "2026-W47", "marco.cmo@example.com")
    _, text, document = brief.load(con, brief_id)
    assert text == brief.markdown(week_brief) and document == brief.pdf(week_brief)
    kept_wins = con.execute("SELECT count(*) FROM wins").fetchone()
    assert kept_wins is not None and kept_wins[0] > 0


def test_weeks_are_iso_weeks_that_have_started(con: store.Connection) -> None:
    with pytest.raises(InputRejected, match="ISO week"):
        brief.parse_week("2026-Q4")
    with pytest.raises(InputRejected, match="not started"):
        brief.gather(con, brief.parse_week("2026-W50"), TODAY)
    assert brief.latest_week(TODAY) == WEEK


# ---------------------------------------------------------------- command line


def test_cli_writes_markdown_and_pdf(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md, pdf = tmp_path / "brief.md", tmp_path / "brief.pdf"
    assert cli.main(["brief", "--week", "2026-W47", "--out", str(md)]) == 0
    assert md.read_text(encoding="utf-8").startswith("# Weekly check-in brief, 2026-W47")
    assert cli.main(["brief", "--week", "2026-W47", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert cli.main(["brief", "--list"]) == 0
    assert "No brief kept yet." in capsys.readouterr().out  # reading never keeps


def test_cli_keeps_with_a_user_and_lists(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["brief", "--user", "priya.cio@example.com"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Weekly check-in brief, 2026-W47")
    assert cli.main(["brief", "--list"]) == 0
    assert "2026-W47  kept" in capsys.readouterr().out
    assert cli.main(["brief", "--user", "bea.board@example.com"]) == 2


@pytest.mark.parametrize("argv", [["--week", "2026-13"], ["--out", "brief.docx"], ["--week", "2026-W99"]])
def test_cli_rejects_bad_input_with_exit_1(demo_db: Path, argv: list[str]) -> None:
    assert cli.main(["brief", *argv]) == 1


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["brief", "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m metrics brief" in capsys.readouterr().out
