"""Metrics as code: ``python -m metrics catalog export | diff FILE | import FILE | check``.

``export`` writes the agreed catalog in the seed file's format (data/catalog.yaml);
``diff`` shows what a file would change; ``import`` turns the differences into
proposals, which still need an IT and a marketing signature each; ``check`` lists
descriptions that use an acronym the glossary does not explain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metrics import access, clock, store
from metrics.catalog import definitions as catalog
from metrics.catalog import glossary, proposals
from metrics.catalog.definitions import MetricDefinition, Seed
from metrics.catalog.proposals import FieldChange
from metrics.cli.args import add_user
from metrics.errors import InputRejected, ScorecardError

#: seed-file key for each field, in the seed file's order (min and max sit after red)
_SEED_KEYS = (
    ("id", "id"),
    ("name", "name"),
    ("description", "description"),
    ("calculation", "calculation"),
    ("unit", "unit"),
    ("unit_label", "unit_label"),
    ("direction", "direction"),
    ("area", "area"),
    ("cadence", "cadence"),
    ("it_owner", "it_owner"),
    ("marketing_owner", "marketing_owner"),
    ("target", "target"),
    ("amber", "amber"),
    ("red", "red"),
    ("min_value", "min"),
    ("max_value", "max"),
    ("data_source", "data_source"),
    ("supplied_by", "supplied_by"),
    ("revisit", "revisit"),
)

_HEADER = """\
# Shared Scorecard - agreed metric catalog
#
# Exported on {day}: every metric in force, exactly as one IT approver and one
# marketing approver signed it. Same format as data/catalog.yaml, which explains
# each field. To change the catalog, edit this file, look at the result with
#   python -m metrics catalog diff FILE
# and propose it with
#   python -m metrics catalog import FILE --user EMAIL
# Nothing counts until both sides sign each new version in the app.

"""


class _Dumper(yaml.SafeDumper):
    """Long text folded like the seed file (``>-``), everything else plain."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 60 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _seed_mapping(d: MetricDefinition) -> dict[str, Any]:
    content = d.content()
    result: dict[str, Any] = {}
    for name, key in _SEED_KEYS:
        value = content[name]
        if name in {"min_value", "max_value"} and value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if name == "revisit":
            value = d.revisit
        result[key] = value
    return result


def _indent(text: str, prefix: str = "  ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def _signed_note(h: proposals.History) -> str:
    v = h.version(h.entry.version)
    signers = " and ".join(
        f"{sig.signer} ({proposals.SIDE_LABELS[s]}, {sig.at:%Y-%m-%d})"
        for s in proposals.SIDES
        if (sig := v.signature(s)) is not None
    )
    return f"# version {v.version}, {h.entry.status}; signed by {signers}\n"


def export_text(con: store.Connection, today: dt.date | None = None) -> str:
    """The agreed catalog (every metric in force, not retired) as seed-format YAML."""
    day = today or clock.today()
    entries = catalog.board_entries(con, day)
    text = [_HEADER.format(day=day.isoformat())]
    text.append(yaml.dump({"teams": catalog.teams(con)}, Dumper=_Dumper, sort_keys=False, allow_unicode=True))
    text.append("\nmetrics:\n")
    for entry in sorted(entries, key=lambda e: (catalog.AREAS.index(e.definition.area), e.definition.id)):
        h = proposals.history(con, entry.definition.id, day)
        item = yaml.dump(
            [_seed_mapping(entry.definition)], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=80
        )
        text.append("\n" + _indent(_signed_note(h) + item))
    return "".join(text)


# ---------------------------------------------------------------- diff and import


@dataclass(frozen=True)
class PlannedChange:
    """What a file means for one metric.

    action: new | change | retire (will be proposed) ·
    unchanged | pending | kept (nothing to do) · rejected (the file is wrong here)
    """

    metric_id: str
    name: str
    action: str
    note: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    definition: MetricDefinition | None = None

    @property
    def proposes(self) -> bool:
        return self.action in {"new", "change", "retire"}


def _problem(con: store.Connection, d: MetricDefinition, owners: Iterable[str]) -> str | None:
    try:
        catalog.check_definition(d, catalog.teams(con))
        for name in owners:
            if access.get_person(con, getattr(d, name)) is None:
                raise InputRejected(
                    f"{proposals.FIELD_LABELS[name]} {getattr(d, name)!r} is not an active person."
                )
    except ScorecardError as exc:
        return exc.message
    return None


def _awaiting_note(v: proposals.Version) -> str:
    sides = " and ".join({"it": "IT", "marketing": "marketing"}[s] for s in v.awaiting)
    return f"already proposed as version {v.version}, awaiting the {sides} signature" + (
        "s" if len(v.awaiting) > 1 else ""
    )


def plan(con: store.Connection, seed: Seed, *, retire_missing: bool = False) -> list[PlannedChange]:
    """Compare a catalog file with the database, metric by metric."""
    known = {e.definition.id: e for e in catalog.entries(con)}
    result: list[PlannedChange] = []
    for d in seed.metrics:
        entry = known.get(d.id)
        if entry is None:
            problem = _problem(con, d, ("it_owner", "marketing_owner"))
            action = "rejected" if problem else "new"
            result.append(PlannedChange(d.id, d.name, action, problem or "new metric", [], d))
            continue
        h = proposals.history(con, d.id)
        open_version = h.open_version
        base = h.entry.definition if entry.status != "proposed" else h.latest.definition
        if (
            open_version is not None
            and open_version.kind != "retire"
            and open_version.content_hash == d.content_hash()
        ):
            result.append(PlannedChange(d.id, d.name, "pending", _awaiting_note(open_version)))
            continue
        if entry.status not in {"proposed", "retired"} and d.content_hash() == base.content_hash():
            note = "unchanged"
            if open_version is not None:
                note += f" (version {open_version.version} is proposed separately and still open)"
            result.append(PlannedChange(d.id, d.name, "unchanged", note))
            continue
        owners = [f for f in ("it_owner", "marketing_owner") if getattr(d, f) != getattr(base, f)]
        problem = _problem(con, d, owners)
        if problem:
            result.append(PlannedChange(d.id, d.name, "rejected", problem, [], d))
            continue
        note = "reinstates a retired metric" if entry.status == "retired" else "change"
        if open_version is not None:
            note += f"; replaces the open version {open_version.version}"
        result.append(PlannedChange(d.id, d.name, "change", note, proposals.diff_definitions(base, d), d))
    listed = {d.id for d in seed.metrics}
    for metric_id, entry in sorted(known.items()):
        if metric_id in listed or entry.status in {"proposed", "retired"}:
            continue
        name = entry.definition.name
        h = proposals.history(con, metric_id)
        if h.open_version is not None and h.open_version.kind == "retire":
            result.append(
                PlannedChange(metric_id, name, "pending", "retirement " + _awaiting_note(h.open_version))
            )
        elif retire_missing:
            result.append(PlannedChange(metric_id, name, "retire", "not in the file: retirement"))
        else:
            result.append(
                PlannedChange(
                    metric_id, name, "kept", "not in the file; kept (--retire-missing proposes retiring it)"
                )
            )
    return result


def apply(
    con: store.Connection, person: access.Person | None, planned: list[PlannedChange], comment: str
) -> list[proposals.Proposal]:
    """Make the planned proposals, all or nothing. A plan with a rejected metric stores nothing."""
    rejected = [p for p in planned if p.action == "rejected"]
    if rejected:
        raise InputRejected(
            "Nothing was imported. Fix these metrics first: "
            + "; ".join(f"{p.metric_id}: {p.note}" for p in rejected)
        )
    return proposals.import_proposals(
        con,
        person,
        new=[p.definition.content() for p in planned if p.action == "new" and p.definition],
        changes=[
            (p.metric_id, p.definition.content()) for p in planned if p.action == "change" and p.definition
        ],
        retirements=[p.metric_id for p in planned if p.action == "retire"],
        comment=comment,
    )


def _print_plan(planned: list[PlannedChange], out: Any) -> None:
    quiet = {"unchanged"}
    for p in planned:
        if p.action in quiet:
            continue
        print(f"{p.metric_id} ({p.name}): {p.note}", file=out)
        for c in p.changes:
            print(f"  {c.label}: {_short(c.before)} -> {_short(c.after)}", file=out)
    unchanged = sum(p.action == "unchanged" for p in planned)
    proposing = sum(p.proposes for p in planned)
    print(f"{proposing} to propose, {unchanged} unchanged.", file=out)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- commands


def _read(path: str) -> Seed:
    file = Path(path)
    if not file.is_file():
        raise InputRejected(f"There is no file {path!r}.")
    return catalog.load_seed(file)


def _export(args: argparse.Namespace) -> int:
    with store.connect() as con:
        text = export_text(con)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote the agreed catalog to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _diff(args: argparse.Namespace) -> int:
    seed = _read(args.file)
    with store.connect() as con:
        planned = plan(con, seed, retire_missing=args.retire_missing)
    _print_plan(planned, sys.stdout)
    return 1 if any(p.action == "rejected" for p in planned) else 0


def _import(args: argparse.Namespace) -> int:
    seed = _read(args.file)
    with store.connect() as con:
        person = access.require_person(con, args.user)
        planned = plan(con, seed, retire_missing=args.retire_missing)
        made = apply(con, person, planned, args.comment or f"Imported from {Path(args.file).name}")
    if not made:
        print("Nothing to propose: the file matches the catalog (and its open proposals).")
        return 0
    by_id = {p.metric_id: p for p in planned}
    for m in made:
        print(f"Proposed {m.metric_id} version {m.version} ({proposals.KIND_LABELS[m.kind]}).")
        for c in by_id[m.metric_id].changes:
            print(f"  {c.label}: {_short(c.before)} -> {_short(c.after)}")
    print(
        f"{len(made)} proposal(s) made; each counts only once an IT approver and a marketing approver sign it."
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    with store.connect() as con:
        missing = glossary.language_check(con)
    if not missing:
        print("Every acronym in the catalog is explained in the glossary.")
        return 0
    for m in missing:
        print(f"{m.metric_id} ({m.metric_name}), {m.field}: '{m.acronym}' is not in the glossary")
    print(f"{len(missing)} acronym use(s) to explain; add them to the glossary or spell them out.")
    return 1


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "catalog",
        help="metrics as code: export, diff or import the catalog; check its language",
        description="Export the agreed catalog in the seed file's format, see what a file would "
        "change, turn a file's differences into proposals (each still needs an IT and a "
        "marketing signature), or list acronyms the glossary does not explain.",
    )
    sub = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)

    export = sub.add_parser(
        "export",
        help="write the agreed catalog as YAML",
        description="Write every metric in force (agreed, not retired) in the format of data/catalog.yaml.",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    export.set_defaults(handler=_export)

    for name, handler, summary in (
        ("diff", _diff, "show what FILE would change (nothing is stored)"),
        ("import", _import, "propose FILE's differences as new versions"),
    ):
        command = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
        command.add_argument("file", metavar="FILE", help="a catalog file in the format of data/catalog.yaml")
        command.add_argument(
            "--retire-missing",
            action="store_true",
            help="treat agreed metrics missing from FILE as retirements to propose",
        )
        if name == "import":
            add_user(command, "who proposes (an executive, approver or admin)")
            command.add_argument("--comment", help="why (stored with every proposal; default: the file name)")
        command.set_defaults(handler=handler)

    check = sub.add_parser(
        "check",
        help="list descriptions using an acronym missing from the glossary",
        description="Speak the same language: list every definition in force or proposed whose name, "
        "meaning or calculation uses an acronym the glossary does not explain. Exit 1 when any.",
    )
    check.set_defaults(handler=_check)
