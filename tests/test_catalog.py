"""The catalog: seed file quality, definition rules, two-party sign-off state."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from metrics import store
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import MetricDefinition
from metrics.errors import CatalogError

SEED = catalog.load_seed()
TEAMS = list(SEED.teams)


def _definition(**changes: object) -> MetricDefinition:
    base = next(m for m in SEED.metrics if m.id == "conversion_rate")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_seed_catalog_is_a_real_shared_catalog() -> None:
    ids = {m.id for m in SEED.metrics}
    assert 20 <= len(SEED.metrics) <= 25
    assert {m.area for m in SEED.metrics} == set(catalog.AREAS)
    for required in (
        "sessions",
        "lead_signups",
        "cost_per_lead",
        "conversion_rate",
        "average_order_value",
        "repeat_purchase_rate",
        "nps",
        "churn_rate",
        "site_uptime",
        "checkout_p95_latency",
        "security_incidents",
        "mttr_hours",
        "unreviewed_saas_tools",
        "lead_time_days",
        "new_work_share",
        "joint_checkins_held",
    ):
        assert required in ids
    uptime = next(m for m in SEED.metrics if m.id == "site_uptime")
    assert uptime.target == 99.9 and uptime.unit == "percent"
    assert all(m.it_owner != m.marketing_owner for m in SEED.metrics)


def test_glossary_explains_every_acronym_in_the_seed_catalog() -> None:
    terms = {t.upper() for t in catalog.load_glossary_seed()}
    for m in SEED.metrics:
        for acronym in re.findall(r"\b[A-Z][A-Z0-9/]{1,}[a-z]?\b", f"{m.description} {m.calculation}"):
            assert acronym.upper() in terms or acronym.rstrip("s").upper() in terms, (m.id, acronym)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "Bad Id"}, "lowercase"),
        ({"unit": "furlongs"}, "unit 'furlongs'"),
        ({"direction": "sideways"}, "direction"),
        ({"area": "finance"}, "area"),
        ({"cadence": "daily"}, "cadence"),
        ({"supplied_by": "nobody"}, "supplied_by"),
        ({"target": 1.0, "amber": 2.0, "red": 0.5}, "target >= amber >= red"),
        ({"direction": "lower"}, "target <= amber <= red"),
        ({"target": 140.0}, "outside the accepted range"),
        ({"marketing_owner": "dana.it@example.com", "it_owner": "dana.it@example.com"}, "different people"),
        ({"unit": "score", "min_value": None, "max_value": None}, "own min and max"),
    ],
)
def test_definition_rules(changes: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        catalog.check_definition(_definition(**changes), TEAMS)


def test_missing_and_unknown_fields_are_named() -> None:
    raw = _definition().content()
    del raw["calculation"]
    with pytest.raises(CatalogError, match="missing calculation"):
        catalog.definition_from_mapping(raw, TEAMS)
    raw = {**_definition().content(), "colour": "blue"}
    with pytest.raises(CatalogError, match=r"unknown field.*colour"):
        catalog.definition_from_mapping(raw, TEAMS)


def test_content_hash_covers_every_field() -> None:
    base = _definition()
    for field in dataclasses.fields(MetricDefinition):
        value = getattr(base, field.name)
        changed: object
        if isinstance(value, str):
            changed = value + "x"
        elif isinstance(value, dt.date):
            changed = value + dt.timedelta(days=1)
        elif value is None:
            changed = 1.0
        else:
            changed = value + 0.5
        assert dataclasses.replace(base, **{field.name: changed}).content_hash() != base.content_hash(), (  # type: ignore[arg-type]
            field.name
        )


def _add(con: store.Connection, definition: MetricDefinition) -> int:
    return catalog.add_version(con, definition, proposed_by="alex.admin@example.com")


def _sign(
    con: store.Connection, d: MetricDefinition, version: int, side: str, signer: str, **kw: str
) -> None:
    catalog.record_signature(
        con,
        d.id,
        version,
        side=side,
        signer=signer,
        content_hash=kw.get("content_hash", d.content_hash()),
        decision=kw.get("decision", "signed"),
    )


def _status(con: store.Connection, metric_id: str) -> catalog.CatalogEntry:
    return next(e for e in catalog.entries(con, dt.date(2026, 11, 23)) if e.definition.id == metric_id)


@pytest.fixture
def empty(db_path):  # type: ignore[no-untyped-def]
    with store.connect(db_path) as con:
        catalog.save_teams(con, SEED.teams)
        yield con


def test_a_definition_counts_only_when_both_sides_signed_that_version(empty: store.Connection) -> None:
    d = _definition(id="new_metric")
    version = _add(empty, d)
    assert _status(empty, d.id).status == "proposed"
    _sign(empty, d, version, "it", "dana.it@example.com")
    assert _status(empty, d.id).status == "proposed"
    assert d.id not in {e.definition.id for e in catalog.board_entries(empty, dt.date(2026, 11, 23))}
    _sign(empty, d, version, "marketing", "sam.marketing@example.com")
    assert _status(empty, d.id).status == "agreed"


def test_one_person_signing_both_sides_does_not_agree(empty: store.Connection) -> None:
    d = _definition(id="solo")
    version = _add(empty, d)
    _sign(empty, d, version, "it", "dana.it@example.com")
    _sign(empty, d, version, "marketing", "dana.it@example.com")
    assert _status(empty, d.id).status == "proposed"


def test_a_signature_on_other_content_does_not_count(empty: store.Connection) -> None:
    d = _definition(id="edited")
    version = _add(empty, d)
    _sign(empty, d, version, "it", "dana.it@example.com", content_hash="0" * 64)
    _sign(empty, d, version, "marketing", "sam.marketing@example.com")
    assert _status(empty, d.id).status == "proposed"


def test_a_declined_signature_does_not_count(empty: store.Connection) -> None:
    d = _definition(id="declined")
    version = _add(empty, d)
    _sign(empty, d, version, "it", "dana.it@example.com", decision="declined")
    _sign(empty, d, version, "marketing", "sam.marketing@example.com")
    assert _status(empty, d.id).status == "proposed"


def test_pending_change_keeps_the_agreed_version_in_force(empty: store.Connection) -> None:
    d1 = _definition(id="changing")
    v1 = _add(empty, d1)
    _sign(empty, d1, v1, "it", "dana.it@example.com")
    _sign(empty, d1, v1, "marketing", "sam.marketing@example.com")
    d2 = dataclasses.replace(d1, target=d1.target + 0.5, amber=d1.amber + 0.5)
    v2 = _add(empty, d2)
    entry = _status(empty, d1.id)
    assert (entry.status, entry.version, entry.latest_version) == ("change pending", v1, v2)
    assert entry.definition.target == d1.target
    _sign(empty, d2, v2, "it", "priya.cio@example.com")
    _sign(empty, d2, v2, "marketing", "marco.cmo@example.com")
    entry = _status(empty, d1.id)
    assert (entry.status, entry.version, entry.definition.target) == ("agreed", v2, d2.target)


def test_past_revisit_date_is_due_for_review(empty: store.Connection) -> None:
    d = _definition(id="old_one", revisit=dt.date(2026, 1, 31))
    version = _add(empty, d)
    _sign(empty, d, version, "it", "dana.it@example.com")
    _sign(empty, d, version, "marketing", "sam.marketing@example.com")
    assert _status(empty, d.id).status == "due for review"


def test_seeded_database_has_every_seed_metric_agreed(con: store.Connection) -> None:
    entries = catalog.entries(con, dt.date(2026, 11, 23))
    assert len(entries) == len(SEED.metrics)
    assert {e.status for e in entries} <= {"agreed", "due for review"}
    assert sum(e.status == "due for review" for e in entries) == 1


def test_a_decline_is_never_counted_as_a_signature(con: store.Connection) -> None:
    new = dataclasses.replace(catalog.load_seed().metrics[0], id="app_rating", name="App store rating")
    version = catalog.add_version(con, new, proposed_by="alex.admin@example.com", kind="new")
    catalog.record_signature(
        con, new.id, version, side="it", signer="dana.it@example.com", content_hash=new.content_hash()
    )
    catalog.record_signature(
        con,
        new.id,
        version,
        side="marketing",
        signer="sam.marketing@example.com",
        content_hash=new.content_hash(),
        decision="declined",
    )
    entry = next(e for e in catalog.entries(con) if e.definition.id == "app_rating")
    assert entry.status == "proposed"
    assert (new.id, version) not in catalog.agreements(con)
