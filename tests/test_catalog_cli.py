"""Metrics as code: catalog export, diff, import and check from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metrics import access, store
from metrics.catalog import definitions as catalog
from metrics.catalog import proposals
from metrics.cli import catalog as catalog_cli
from metrics.cli import main as cli
from tests.conftest import TODAY

EXEC = "priya.cio@example.com"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def exported(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    target = tmp_path / "catalog.yaml"
    code, _, err = run(capsys, "catalog", "export", "--output", str(target))
    assert code == 0 and "Wrote the agreed catalog" in err
    return target


def edit(path: Path, metric_id: str, field: str, value: str) -> None:
    """Change one field of one metric in an exported file, as a person would in an editor."""
    text = path.read_text(encoding="utf-8")
    block = re.search(rf"  - id: {metric_id}\n(?:    .*\n|\n)*?(?=  #|\Z)", text)
    assert block, metric_id
    changed = re.sub(rf"(?m)^    {field}: .*$", f"    {field}: {value}", block.group(0), count=1)
    path.write_text(text.replace(block.group(0), changed), encoding="utf-8")


def entry(metric_id: str) -> catalog.CatalogEntry:
    with store.connect() as con:
        return next(e for e in catalog.entries(con, TODAY) if e.definition.id == metric_id)


def test_export_writes_the_agreed_catalog_in_the_seed_format(exported: Path, demo_db: Path) -> None:
    seed = catalog.load_seed(exported)  # the seed loader reads it: same format, same rules
    with store.connect() as con:
        board = {e.definition.id: e.definition for e in catalog.board_entries(con, TODAY)}
        assert seed.teams == catalog.teams(con)
    assert {m.id: m.content_hash() for m in seed.metrics} == {k: d.content_hash() for k, d in board.items()}
    text = exported.read_text(encoding="utf-8")
    assert text.startswith("# Shared Scorecard - agreed metric catalog")
    assert "description: >-" in text and "    min: -100" in text
    assert "# version 1, agreed; signed by dana.it@example.com (IT" in text


def test_export_to_standard_output_leaves_out_proposals_and_retired_metrics(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.connect() as con:
        person = access.require_person(con, EXEC)
        fields = {**next(m for m in catalog.load_seed().metrics if m.id == "nps").content(), "id": "nps_app"}
        proposals.propose_new(con, person, fields)
        proposals.propose_change(con, person, "conversion_rate", {"target": 3.5})
        proposals.propose_retirement(con, person, "churn_rate", "Covered by repeat purchase")
        for email, side in (("dana.it@example.com", "it"), ("sam.marketing@example.com", "marketing")):
            v = proposals.history(con, "churn_rate").latest
            proposals.sign(con, access.require_person(con, email), "churn_rate", v.version, side,
                           content_hash=v.content_hash)  # fmt: skip
    code, out, _ = run(capsys, "catalog", "export")
    assert code == 0
    assert "id: nps_app" not in out and "id: churn_rate" not in out
    assert "id: conversion_rate" in out and "target: 3.2" in out and "target: 3.5" not in out


def test_diff_of_an_unchanged_export_proposes_nothing(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "catalog", "diff", str(exported))
    assert code == 0
    assert out.strip() == "0 to propose, 24 unchanged."


def test_diff_shows_each_changed_field_and_stores_nothing(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(exported, "conversion_rate", "target", "3.5")
    edit(exported, "site_uptime", "revisit", "2028-01-31")
    code, out, _ = run(capsys, "catalog", "diff", str(exported))
    assert code == 0
    assert "conversion_rate (Conversion rate): change\n  Target: 3.2 -> 3.5" in out
    assert "site_uptime (Site uptime): change\n  Revisit on: " in out
    assert "2 to propose, 22 unchanged." in out
    assert entry("conversion_rate").status == "agreed"


def test_import_turns_differences_into_proposals_that_still_need_both_signatures(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(exported, "conversion_rate", "target", "3.5")
    code, out, _ = run(capsys, "catalog", "import", str(exported), "--user", EXEC, "--comment", "Q1 plan")
    assert code == 0, out
    assert "Proposed conversion_rate version 2 (change)." in out and "Target: 3.2 -> 3.5" in out
    e = entry("conversion_rate")
    assert (e.status, e.version, e.definition.target) == ("change pending", 1, 3.2)
    with store.connect() as con:
        v = proposals.history(con, "conversion_rate").latest
        assert (v.proposed_by, v.comment, v.definition.target, v.decisions) == (EXEC, "Q1 plan", 3.5, ())
    # Importing the same file again proposes nothing new.
    code, out, _ = run(capsys, "catalog", "import", str(exported), "--user", EXEC)
    assert code == 0 and "Nothing to propose" in out
    code, out, _ = run(capsys, "catalog", "diff", str(exported))
    assert "already proposed as version 2, awaiting the IT and marketing signatures" in out


def test_import_adds_new_metrics_and_retires_missing_ones_only_when_asked(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = exported.read_text(encoding="utf-8")
    text = text.replace("  - id: nps\n", "  - id: nps_relationship\n")  # nps missing, a new metric added
    exported.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "catalog", "diff", str(exported))
    assert "nps_relationship (Net promoter score): new metric" in out
    assert "nps (Net promoter score): not in the file; kept" in out
    code, out, _ = run(capsys, "catalog", "import", str(exported), "--user", EXEC, "--retire-missing")
    assert code == 0
    assert "Proposed nps_relationship version 1 (new metric)." in out
    assert "Proposed nps version 2 (retirement)." in out
    assert entry("nps_relationship").status == "proposed"
    assert entry("nps").status == "change pending"


@pytest.mark.parametrize("email", ["bea.board@example.com", "uma.upload@example.com", "ghost@example.com"])
def test_import_is_refused_for_people_who_may_not_propose(
    exported: Path, capsys: pytest.CaptureFixture[str], email: str
) -> None:
    edit(exported, "conversion_rate", "target", "3.5")
    code, _, err = run(capsys, "catalog", "import", str(exported), "--user", email)
    assert code == 2 and "Not allowed" in err
    assert entry("conversion_rate").latest_version == 1


def test_a_file_with_a_broken_metric_imports_nothing(
    exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(exported, "conversion_rate", "target", "3.5")
    edit(exported, "site_uptime", "it_owner", "ghost@example.com")
    code, out, _ = run(capsys, "catalog", "diff", str(exported))
    assert (
        code == 1 and "site_uptime (Site uptime): IT owner 'ghost@example.com' is not an active person" in out
    )
    code, _, err = run(capsys, "catalog", "import", str(exported), "--user", EXEC)
    assert code == 1 and "Nothing was imported" in err
    assert entry("conversion_rate").latest_version == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("teams: {}\nmetrics:\n  - id: x\n", "missing"),
        ("metrics: [\n", "Cannot read the catalog file"),
    ],
)
def test_an_unreadable_file_is_rejected_with_exit_1(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "catalog", "diff", str(bad))
    assert code == 1 and message in err


def test_a_missing_file_is_rejected(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "catalog", "diff", "no-such-file.yaml")
    assert code == 1 and "There is no file" in err


def test_import_needs_a_user(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["catalog", "import", "x.yaml"])
    assert exit_info.value.code == 2
    assert "--user" in capsys.readouterr().err


def test_check_lists_acronyms_missing_from_the_glossary(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "catalog", "check")
    assert code == 0 and "Every acronym" in out
    with store.connect() as con:
        proposals.propose_change(
            con, access.require_person(con, EXEC), "sessions", {"calculation": "Counted by the DMP."}
        )
    code, out, _ = run(capsys, "catalog", "check")
    assert code == 1
    assert "sessions (Website sessions), How it is calculated: 'DMP' is not in the glossary" in out


def test_plan_is_usable_without_the_command_line(demo_db: Path) -> None:
    with store.connect() as con:
        planned = catalog_cli.plan(con, catalog.load_seed())
    assert {p.action for p in planned} == {"unchanged"}
    assert len(planned) == 24
