"""Metric definitions: their fields, versions and two-party sign-off state.

A definition counts only when one IT approver and one marketing approver have
signed that exact version; each signature is bound to a hash of the version's
content, so a changed field voids it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from metrics import clock, config, store
from metrics.errors import CatalogError

SEED_CATALOG = config.DATA_DIR / "catalog.yaml"
SEED_GLOSSARY = config.DATA_DIR / "glossary.yaml"

#: unit -> (lowest, highest, whole numbers only); None = unbounded on that side
UNIT_BOUNDS: dict[str, tuple[float | None, float | None, bool]] = {
    "percent": (0.0, 100.0, False),
    "ratio": (0.0, 1.0, False),
    "count": (0.0, None, True),
    "currency": (0.0, None, False),
    "duration": (0.0, None, False),
    "score": (None, None, False),
}
DIRECTIONS = ("higher", "lower")
JOURNEY_AREAS = ("awareness", "consideration", "conversion", "loyalty")
IT_AREAS = ("uptime", "security", "delivery")
AREAS = JOURNEY_AREAS + IT_AREAS
CADENCES = ("weekly", "monthly", "quarterly")
SIDES = ("it", "marketing")
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class MetricDefinition:
    id: str
    name: str
    description: str
    calculation: str
    unit: str
    unit_label: str
    direction: str
    area: str
    cadence: str
    it_owner: str
    marketing_owner: str
    target: float
    amber: float
    red: float
    data_source: str
    supplied_by: str
    revisit: dt.date
    min_value: float | None = None
    max_value: float | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    @property
    def is_journey(self) -> bool:
        return self.area in JOURNEY_AREAS

    def bounds(self) -> tuple[float | None, float | None, bool]:
        """Accepted value range: the unit's bounds narrowed by the definition's own limits."""
        low, high, whole = UNIT_BOUNDS[self.unit]
        if self.min_value is not None:
            low = self.min_value if low is None else max(low, self.min_value)
        if self.max_value is not None:
            high = self.max_value if high is None else min(high, self.max_value)
        return low, high, whole

    def content(self) -> dict[str, Any]:
        """Every field, in a stable JSON-friendly form (what a signature covers)."""
        data = dataclasses.asdict(self)
        data["revisit"] = self.revisit.isoformat()
        return data

    def content_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Seed:
    teams: dict[str, str]
    metrics: tuple[MetricDefinition, ...]


@dataclass(frozen=True)
class CatalogEntry:
    """A metric as the board sees it: the version in force and its sign-off state."""

    definition: MetricDefinition
    version: int
    status: str  # agreed | change pending | due for review | proposed | retired
    latest_version: int


_FIELD_ALIASES = {"min": "min_value", "max": "max_value"}
_REQUIRED = tuple(f.name for f in dataclasses.fields(MetricDefinition) if f.default is dataclasses.MISSING)


def definition_from_mapping(raw: Mapping[str, Any], teams: Iterable[str]) -> MetricDefinition:
    """Build and check one definition; raises CatalogError naming the metric and field."""
    data = {_FIELD_ALIASES.get(k, k): v for k, v in raw.items()}
    label = str(data.get("id", "<no id>"))
    missing = [n for n in _REQUIRED if n != "unit_label" and data.get(n) in (None, "")]
    if missing:
        raise CatalogError(f"Metric {label}: missing {', '.join(missing)}.")
    unknown = sorted(set(data) - {f.name for f in dataclasses.fields(MetricDefinition)})
    if unknown:
        raise CatalogError(f"Metric {label}: unknown field(s) {', '.join(unknown)}.")
    try:
        definition = MetricDefinition(
            id=str(data["id"]),
            name=str(data["name"]).strip(),
            description=" ".join(str(data["description"]).split()),
            calculation=" ".join(str(data["calculation"]).split()),
            unit=str(data["unit"]),
            unit_label=str(data.get("unit_label") or ""),
            direction=str(data["direction"]),
            area=str(data["area"]),
            cadence=str(data["cadence"]),
            it_owner=str(data["it_owner"]).strip().lower(),
            marketing_owner=str(data["marketing_owner"]).strip().lower(),
            target=float(data["target"]),
            amber=float(data["amber"]),
            red=float(data["red"]),
            data_source=str(data["data_source"]).strip(),
            supplied_by=str(data["supplied_by"]),
            revisit=_as_date(data["revisit"]),
            min_value=_optional_float(data.get("min_value")),
            max_value=_optional_float(data.get("max_value")),
        )
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"Metric {label}: {exc}.") from exc
    check_definition(definition, teams)
    return definition


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _optional_float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def check_definition(d: MetricDefinition, teams: Iterable[str]) -> None:
    """The rules every definition obeys, whoever wrote it."""
    problems: list[str] = []
    if not _ID_PATTERN.match(d.id):
        problems.append("id must be lowercase letters, digits and _ (2-40 characters)")
    for name, value, allowed in (
        ("unit", d.unit, tuple(UNIT_BOUNDS)),
        ("direction", d.direction, DIRECTIONS),
        ("area", d.area, AREAS),
        ("cadence", d.cadence, CADENCES),
        ("supplied_by", d.supplied_by, tuple(teams)),
    ):
        if value not in allowed:
            problems.append(f"{name} '{value}' is not one of {', '.join(allowed)}")
    if d.direction == "higher" and not d.target >= d.amber >= d.red:
        problems.append("for higher-is-better, target >= amber >= red must hold")
    if d.direction == "lower" and not d.target <= d.amber <= d.red:
        problems.append("for lower-is-better, target <= amber <= red must hold")
    if d.unit == "score" and (d.min_value is None or d.max_value is None):
        problems.append("a score needs its own min and max")
    if d.unit in UNIT_BOUNDS:
        low, high, _ = d.bounds()
        for label, limit in (("target", d.target), ("amber", d.amber), ("red", d.red)):
            if (low is not None and limit < low) or (high is not None and limit > high):
                problems.append(f"{label} {limit:g} is outside the accepted range")
    if d.it_owner == d.marketing_owner:
        problems.append("the IT owner and the marketing owner must be different people")
    if problems:
        raise CatalogError(f"Metric {d.id}: " + "; ".join(problems) + ".")


def load_seed(path: Path = SEED_CATALOG) -> Seed:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"Cannot read the catalog file {path.name}: {exc}") from exc
    teams = {str(k): str(v) for k, v in (raw.get("teams") or {}).items()}
    metrics = tuple(definition_from_mapping(m, teams) for m in raw.get("metrics") or [])
    ids = [m.id for m in metrics]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogError(f"Duplicate metric id(s) in {path.name}: {', '.join(duplicates)}.")
    return Seed(teams=teams, metrics=metrics)


def load_glossary_seed(path: Path = SEED_GLOSSARY) -> dict[str, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(t["term"]): " ".join(str(t["meaning"]).split()) for t in raw.get("terms") or []}


# ---------------------------------------------------------------- database

_COLUMNS = (
    "metric_id, version, kind, name, description, calculation, unit, unit_label, direction, "
    "area, cadence, it_owner, marketing_owner, target, amber, red, min_value, max_value, "
    "data_source, supplied_by, revisit, content_hash, proposed_by, proposed_at, comment"
)


def save_teams(con: store.Connection, teams: Mapping[str, str]) -> None:
    for team_id, name in teams.items():
        store.upsert(con, "teams", {"team_id": team_id}, {"name": name})


def teams(con: store.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT team_id, name FROM teams ORDER BY name").fetchall())


def add_version(
    con: store.Connection,
    definition: MetricDefinition,
    *,
    proposed_by: str,
    kind: str = "change",
    comment: str | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Store a new version of a definition, proposed now (or ``at``, for the demo's kick-off);
    returns its version number."""
    row = con.execute(
        "SELECT coalesce(max(version), 0) FROM metric_versions WHERE metric_id = ?",
        [definition.id],
    ).fetchone()
    version = int(row[0]) + 1 if row else 1
    d = definition
    con.execute(
        f"INSERT INTO metric_versions ({_COLUMNS}) VALUES ({', '.join('?' * 25)})",
        [
            d.id,
            version,
            kind,
            d.name,
            d.description,
            d.calculation,
            d.unit,
            d.unit_label,
            d.direction,
            d.area,
            d.cadence,
            d.it_owner,
            d.marketing_owner,
            d.target,
            d.amber,
            d.red,
            d.min_value,
            d.max_value,
            d.data_source,
            d.supplied_by,
            d.revisit,
            d.content_hash(),
            proposed_by,
            at or clock.now(),
            comment,
        ],
    )
    return version


def record_signature(
    con: store.Connection,
    metric_id: str,
    version: int,
    *,
    side: str,
    signer: str,
    content_hash: str,
    decision: str = "signed",
    comment: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record one signer's decision on a version, made now (or ``at``, for the demo's kick-off)."""
    con.execute(
        "INSERT INTO signatures (metric_id, version, side, signer, decision, content_hash, comment, signed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [metric_id, version, side, signer, decision, content_hash, comment, at or clock.now()],
    )


def _definition_from_row(row: Mapping[str, Any]) -> MetricDefinition:
    return MetricDefinition(
        id=row["metric_id"],
        name=row["name"],
        description=row["description"],
        calculation=row["calculation"],
        unit=row["unit"],
        unit_label=row["unit_label"],
        direction=row["direction"],
        area=row["area"],
        cadence=row["cadence"],
        it_owner=row["it_owner"],
        marketing_owner=row["marketing_owner"],
        target=row["target"],
        amber=row["amber"],
        red=row["red"],
        data_source=row["data_source"],
        supplied_by=row["supplied_by"],
        revisit=row["revisit"],
        min_value=row["min_value"],
        max_value=row["max_value"],
    )


# The one rule for "agreed". A version is agreed when an IT signature and a marketing
# signature by two different people both cover the version's stored content hash; it was
# agreed at the moment the second of the earliest such pair was made. agreements() also
# recomputes the hash from the stored fields, so a field edited after signing voids it.
_AGREED_VERSIONS_SQL = """
    SELECT v.metric_id, v.version, min(greatest(i.signed_at, m.signed_at)) AS agreed_at
    FROM metric_versions v
    JOIN signatures i
      ON i.metric_id = v.metric_id AND i.version = v.version AND i.side = 'it'
     AND i.decision = 'signed' AND i.content_hash = v.content_hash
    JOIN signatures m
      ON m.metric_id = v.metric_id AND m.version = v.version AND m.side = 'marketing'
     AND m.decision = 'signed' AND m.content_hash = v.content_hash
    WHERE i.signer <> m.signer
    GROUP BY v.metric_id, v.version
"""


def has_versions(con: store.Connection) -> bool:
    """Whether any definition version is stored (an empty catalog is seeded on first start)."""
    row = con.execute("SELECT count(*) FROM metric_versions").fetchone()
    return bool(row and row[0])


def version_rows(
    con: store.Connection, metric_id: str | None = None, as_of: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Stored versions as plain rows (oldest first), for one metric or all of them; with
    ``as_of``, only the versions proposed by then."""
    filters: list[str] = ["TRUE"]
    params: list[object] = []
    if metric_id is not None:
        filters.append("metric_id = ?")
        params.append(metric_id)
    if as_of is not None:
        filters.append("proposed_at <= ?")
        params.append(as_of)
    cursor = con.execute(
        f"SELECT {_COLUMNS} FROM metric_versions WHERE {' AND '.join(filters)} ORDER BY metric_id, version",
        params,
    )
    names = [c[0] for c in cursor.description or ()]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def definition_from_row(row: Mapping[str, Any]) -> MetricDefinition:
    """The definition a stored version row holds."""
    return _definition_from_row(row)


def row_is_intact(row: Mapping[str, Any]) -> bool:
    """Does the stored hash still match the stored fields (nobody edited the row)?"""
    return bool(_definition_from_row(row).content_hash() == row["content_hash"])


def agreements(
    con: store.Connection,
    rows: Iterable[Mapping[str, Any]] | None = None,
    as_of: dt.datetime | None = None,
) -> dict[tuple[str, int], dt.datetime]:
    """When each agreed (metric_id, version) was agreed: signed by both sides, by two people,
    on the content the row still holds; with ``as_of``, only agreements made by then."""
    signed = {(m, int(v)): when for m, v, when in con.execute(_AGREED_VERSIONS_SQL).fetchall()}
    found = {}
    for r in version_rows(con) if rows is None else rows:
        key = (r["metric_id"], int(r["version"]))
        when = signed.get(key)
        if when is not None and (as_of is None or when <= as_of) and row_is_intact(r):
            found[key] = when
    return found


def agreed_versions(
    con: store.Connection, rows: Iterable[Mapping[str, Any]] | None = None, as_of: dt.datetime | None = None
) -> set[tuple[str, int]]:
    """(metric_id, version) pairs signed by both sides on the content they still hold."""
    return set(agreements(con, rows, as_of))


def counting_signatures(con: store.Connection) -> dict[tuple[str, int, str], tuple[str, dt.datetime]]:
    """(metric_id, version, side) -> (signer, when) of each signature on a version's own content."""
    rows = con.execute(
        "SELECT s.metric_id, s.version, s.side, s.signer, s.signed_at "
        "FROM signatures s JOIN metric_versions v ON v.metric_id = s.metric_id AND v.version = s.version "
        "AND v.content_hash = s.content_hash WHERE s.decision = 'signed' ORDER BY s.signed_at"
    ).fetchall()
    return {(r[0], int(r[1]), r[2]): (r[3], r[4]) for r in rows}


def targets_over_time(con: store.Connection, metric_id: str) -> list[tuple[dt.date, float]]:
    """(the day it was agreed, target) for each agreed version of a metric that is not a retirement."""
    rows = [r for r in version_rows(con, metric_id) if r["kind"] != "retire"]
    agreed = agreements(con, rows)
    return [
        (agreed[(metric_id, int(r["version"]))].date(), float(r["target"]))
        for r in rows
        if (metric_id, int(r["version"])) in agreed
    ]


def entries(
    con: store.Connection, today: dt.date | None = None, as_of: dt.datetime | None = None
) -> list[CatalogEntry]:
    """Every metric with the version in force and its sign-off status.

    The version in force is the newest agreed one; a metric never agreed is
    shown with its newest proposal and status 'proposed' (never as agreed).
    With ``as_of``, the catalog as it stood then: versions proposed and signed by that moment.
    """
    today = today or clock.today()
    rows = version_rows(con, as_of=as_of)
    agreed = agreed_versions(con, rows, as_of)
    by_metric: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_metric.setdefault(row["metric_id"], []).append(row)
    result = []
    for metric_id, versions in by_metric.items():
        latest = versions[-1]
        agreed_rows = [r for r in versions if (metric_id, r["version"]) in agreed]
        if not agreed_rows:
            result.append(
                CatalogEntry(_definition_from_row(latest), latest["version"], "proposed", latest["version"])
            )
            continue
        in_force = agreed_rows[-1]
        definition = _definition_from_row(in_force)
        if in_force["kind"] == "retire":
            status = "retired"
        elif latest["version"] > in_force["version"]:
            status = "change pending"
        elif definition.revisit < today:
            status = "due for review"
        else:
            status = "agreed"
        result.append(CatalogEntry(definition, in_force["version"], status, latest["version"]))
    return result


def board_entries(
    con: store.Connection, today: dt.date | None = None, as_of: dt.datetime | None = None
) -> list[CatalogEntry]:
    """The metrics the board may show (as it stood at ``as_of``): agreed at least once and not retired."""
    return [e for e in entries(con, today, as_of) if e.status not in {"proposed", "retired"}]


def glossary(con: store.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT term, meaning FROM glossary ORDER BY lower(term)").fetchall())


def overview(catalog_entries: Iterable[CatalogEntry]) -> list[dict[str, Any]]:
    """One plain row per metric for a table view."""
    return [
        {
            "Metric": e.definition.name,
            "Area": e.definition.area.capitalize(),
            "Status": e.status,
            "Version": e.version,
            "Meaning": e.definition.description,
            "Unit": e.definition.unit_label or e.definition.unit,
            "Better when": e.definition.direction,
            "Cadence": e.definition.cadence,
            "Target": e.definition.target,
            "IT owner": e.definition.it_owner,
            "Marketing owner": e.definition.marketing_owner,
            "Supplied by": e.definition.supplied_by,
            "Revisit": e.definition.revisit,
        }
        for e in catalog_entries
    ]


STATUSES = ("proposed", "agreed", "change pending", "due for review", "retired")


def find(
    catalog_entries: Iterable[CatalogEntry],
    text: str = "",
    areas: Iterable[str] = (),
    owner: str = "",
    statuses: Iterable[str] = (),
) -> list[CatalogEntry]:
    """Entries matching every filter given: words in the id, name, meaning or
    calculation; any of ``areas``; ``owner`` on either side; any of ``statuses``."""
    words = text.lower().split()
    wanted_areas, wanted_statuses = set(areas), set(statuses)
    result = []
    for e in catalog_entries:
        d = e.definition
        haystack = f"{d.id} {d.name} {d.description} {d.calculation}".lower()
        if words and not all(w in haystack for w in words):
            continue
        if wanted_areas and d.area not in wanted_areas:
            continue
        if owner and owner not in {d.it_owner, d.marketing_owner}:
            continue
        if wanted_statuses and e.status not in wanted_statuses:
            continue
        result.append(e)
    return result
