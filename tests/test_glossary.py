"""The glossary: finding terms in a text, the "speak the same language" check, edits."""

from __future__ import annotations

import dataclasses
import json

import pytest

from metrics import access, store
from metrics.catalog import definitions as catalog
from metrics.catalog import glossary, proposals
from metrics.errors import InputRejected, NotFound, PermissionDenied
from tests.apptest import ONE_PER_ROLE

SEED = catalog.load_glossary_seed()
TERMS = {
    "IT": "Information technology.",
    "shadow IT": "Software staff use without IT knowing.",
    "churn": "Customers who leave.",
    "session": "One visit.",
    "CI/CD": "Continuous integration and delivery.",
    "p95": "95th percentile.",
    "RAG status": "Red, amber, green.",
    "SLO": "Service level objective.",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Churn went up.", ["churn"]),
        ("IT and marketing agree; it is shared.", ["IT"]),
        ("it is not an acronym here", []),
        ("Tools bought outside IT, often called shadow IT.", ["IT", "shadow IT"]),
        ("Shadow IT grows", ["shadow IT"]),
        ("Sessions per week, and sessions again", ["session"]),
        ("Releases through CI/CD; p95 latency", ["CI/CD", "p95"]),
        ("Two SLOs and one RAG status", ["SLO", "RAG status"]),
        ("SLOW churning ITALY sessionless", []),
        ("", []),
    ],
)
def test_terms_in_finds_whole_terms_in_order_of_use(text: str, expected: list[str]) -> None:
    found = glossary.terms_in(text, TERMS)
    assert [t for t, _ in found] == expected
    assert all(meaning == TERMS[t] for t, meaning in found)


def test_terms_in_a_seed_description() -> None:
    d = next(m for m in catalog.load_seed().metrics if m.id == "unreviewed_saas_tools")
    found = dict(glossary.terms_in(f"{d.description} {d.calculation}", SEED))
    assert {"shadow IT", "SaaS"} <= set(found)
    assert found["SaaS"].startswith("Software as a service")


def test_acronyms_are_words_with_two_or_more_capitals() -> None:
    text = "MQLs and SaaS tools, CI/CD, GA4 events, A/B tests, Q3, Website, OK, 5xx, iOS and DevOps"
    assert glossary.acronyms_in(text) == ["MQL", "SaaS", "CI/CD", "GA4", "A/B"]


def test_the_seed_catalog_speaks_the_same_language() -> None:
    assert glossary.missing_acronyms(catalog.load_seed().metrics, SEED) == []


def test_missing_acronyms_name_the_metric_field_and_acronym() -> None:
    d = catalog.load_seed().metrics[0]
    odd = dataclasses.replace(d, description="Tracked in the CDP and the DMP.", calculation="ROAS per week")
    missing = glossary.missing_acronyms([odd], SEED)
    assert [(m.metric_id, m.field, m.acronym) for m in missing] == [
        (d.id, "Meaning", "DMP"),
        (d.id, "How it is calculated", "ROAS"),
    ]


def test_language_check_covers_open_proposals_and_clears_when_explained(con: store.Connection) -> None:
    assert glossary.language_check(con) == []
    exec_ = access.require_person(con, "priya.cio@example.com")
    proposals.propose_change(
        con, exec_, "conversion_rate", {"description": "Share of visits that buy, as counted by the OMS."}
    )
    missing = glossary.language_check(con)
    assert [(m.metric_id, m.acronym) for m in missing] == [("conversion_rate", "OMS")]
    glossary.set_term(
        con, access.require_person(con, "dana.it@example.com"), "OMS", "Order management system."
    )
    assert glossary.language_check(con) == []


def test_approvers_add_and_change_terms_and_the_audit_keeps_the_old_meaning(con: store.Connection) -> None:
    dana = access.require_person(con, "dana.it@example.com")
    assert glossary.set_term(con, dana, "  OMS ", "Order   management system.") == "added"
    assert glossary.terms(con)["OMS"] == "Order management system."
    sam = access.require_person(con, "sam.marketing@example.com")
    assert glossary.set_term(con, sam, "OMS", "Order management system - where orders live.") == "changed"
    row = con.execute(
        "SELECT actor, action, detail FROM audit_log WHERE subject = 'OMS' ORDER BY logged_at DESC LIMIT 1"
    ).fetchone()
    assert row is not None and row[:2] == ("sam.marketing@example.com", "glossary_changed")
    assert json.loads(row[2])["before"] == "Order management system."


def test_term_edits_are_checked(con: store.Connection) -> None:
    dana = access.require_person(con, "dana.it@example.com")
    with pytest.raises(InputRejected, match="already explains 'NPS'"):
        glossary.set_term(con, dana, "nps", "lower case twin")
    with pytest.raises(InputRejected, match="A term needs"):
        glossary.set_term(con, dana, " ", "Nothing")
    with pytest.raises(InputRejected, match="A term needs"):
        glossary.set_term(con, dana, "x" * 41, "Too long")
    with pytest.raises(InputRejected, match="A meaning needs"):
        glossary.set_term(con, dana, "OMS", "")
    with pytest.raises(NotFound):
        glossary.remove_term(con, dana, "Nope")


def test_removing_a_term_is_audited(con: store.Connection) -> None:
    sam = access.require_person(con, "sam.marketing@example.com")
    glossary.remove_term(con, sam, "UTM")
    assert "UTM" not in glossary.terms(con)
    row = con.execute("SELECT detail FROM audit_log WHERE action = 'glossary_removed'").fetchone()
    assert row is not None and json.loads(row[0])["before"].startswith("Urchin")


ROLE_PEOPLE = ONE_PER_ROLE  # one demo person per role (tests/apptest.py)
EDITORS = {"admin", "it_approver", "marketing_approver"}


@pytest.mark.parametrize("role", list(ROLE_PEOPLE))
def test_only_approvers_and_admins_edit_the_glossary(con: store.Connection, role: str) -> None:
    person = access.require_person(con, ROLE_PEOPLE[role])
    before = glossary.terms(con)
    if role in EDITORS:
        glossary.set_term(con, person, "OMS", "Order management system.")
        glossary.remove_term(con, person, "OMS")
        glossary.remove_term(con, person, "UTM")
        assert "UTM" not in glossary.terms(con)
        return
    with pytest.raises(PermissionDenied, match="may not edit the glossary"):
        glossary.set_term(con, person, "OMS", "Order management system.")
    with pytest.raises(PermissionDenied, match="may not edit the glossary"):
        glossary.remove_term(con, person, "UTM")
    assert glossary.terms(con) == before


def test_nobody_signed_in_cannot_edit(con: store.Connection) -> None:
    with pytest.raises(PermissionDenied, match="sign in"):
        glossary.set_term(con, None, "OMS", "Order management system.")
    with pytest.raises(PermissionDenied, match="sign in"):
        glossary.remove_term(con, None, "UTM")
