"""First start: the seed catalog, people and glossary, and (optionally) demo data."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from metrics import access, clock, config, periods, store
from metrics.board import timeline as events
from metrics.catalog import definitions as catalog
from metrics.catalog import glossary
from metrics.seed import demo
from metrics.uploads import observations

SEED_AUTHOR = "alex.admin@example.com"
SEED_SIGNERS = {"it": "dana.it@example.com", "marketing": "sam.marketing@example.com"}
SEED_FILE_AUTHOR = "data/catalog.yaml"  # who proposed the seed versions in a real installation


@dataclass(frozen=True)
class InitResult:
    path: Path
    seeded_catalog: bool
    demo_rows: int


def _is_empty(con: store.Connection) -> bool:
    return not catalog.has_versions(con)


def _has_observations(con: store.Connection) -> bool:
    row = con.execute("SELECT count(*) FROM observations").fetchone()
    return bool(row and row[0])


def seed_catalog(con: store.Connection, *, demo_people: bool) -> None:
    """Seed teams, glossary and the catalog of data/catalog.yaml.

    With the demo people, every seed version is signed by the demo IT and marketing
    approvers (the demo's "kick-off workshop"). Without them (a real installation),
    the seed versions are proposals that the real approvers still have to sign: no
    signature is ever made up.
    """
    seed = catalog.load_seed()
    catalog.save_teams(con, seed.teams)
    if demo_people:
        for person in access.load_seed_people():
            access.upsert_person(con, person)
    author = SEED_AUTHOR if demo_people else SEED_FILE_AUTHOR
    glossary.save(con, catalog.load_glossary_seed(), by=author)
    # The demo's catalog was agreed at a kick-off before its two years of values began, so that
    # "as known on" any day of the demo finds the definitions in force; a real one is proposed now.
    kick_off = kick_off_moment(clock.today()) if demo_people else None
    for definition in seed.metrics:
        version = catalog.add_version(
            con, definition, proposed_by=author, kind="new", comment="Seed catalog", at=kick_off
        )
        if not demo_people:
            continue
        for side, signer in SEED_SIGNERS.items():
            catalog.record_signature(
                con,
                definition.id,
                version,
                side=side,
                signer=signer,
                content_hash=definition.content_hash(),
                comment="Agreed at the kick-off workshop",
                at=kick_off,
            )
    store.audit(con, author, "seed_catalog", None, f'{{"metrics": {len(seed.metrics)}}}')


def kick_off_moment(today: dt.date) -> dt.datetime:
    """The demo's kick-off workshop: 9:00 on the Monday a little over two years back, before the
    oldest demo period (the demo covers two years up to the last complete period)."""
    monday = periods.period_start(today - dt.timedelta(days=demo.YEARS * 366 + 100), "weekly")
    return dt.datetime.combine(monday, dt.time(9, 0))


def _demo_people_present(con: store.Connection) -> bool:
    return access.get_person(con, SEED_AUTHOR) is not None


def seeding_moment(end: dt.date) -> dt.datetime:
    """Now, on the demo's calendar: today's time of day on ``end``, which is today unless
    SCORECARD_TODAY pretends another day (the demo's values must then fit that day)."""
    return dt.datetime.combine(end, clock.now().time())


def load_demo(con: store.Connection, end: dt.date) -> int:
    """Store the demo series as one upload, exactly as a team's CSV would be, each value
    recorded shortly after its period ended (``demo.recorded_at``), so that the board
    "as of" an earlier day shows what was known then."""
    seeded_at = seeding_moment(end)
    definitions = [e.definition for e in catalog.board_entries(con, end)]
    frame = demo.generate(definitions, demo.load_profiles(), end)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    upload_id = observations.add_upload(
        con,
        original=buffer.getvalue().encode("utf-8"),
        file_name="demo-data.csv",
        uploaded_by=SEED_AUTHOR,
        source="demo",
        outcome="accepted",
        row_count=len(frame),
    )
    observations.append(con, frame, upload_id, recorded_at=demo.recorded_times(frame, definitions, seeded_at))
    # the outage, the campaign and releases on the timeline
    demo_events = [
        events.NewEvent(day, kind, title, tuple(ids))
        for day, kind, title, ids in demo.timeline(end, demo.load_profiles())
    ]
    events.add_seeded(con, demo_events, SEED_AUTHOR)
    from metrics.seed import okrs as okr_demo  # imported here: the OKR module reads the catalog seeded above

    okr_demo.load_demo(con, end, SEED_AUTHOR)  # joint objectives, accepted by both owners
    store.audit(con, SEED_AUTHOR, "load_demo", str(upload_id), f'{{"rows": {len(frame)}}}')
    return len(frame)


def initialise(
    path: Path | None = None, *, demo_data: bool | None = None, demo_people: bool | None = None
) -> InitResult:
    """Create and migrate the database; seed it when empty. Safe to run again.

    ``demo_data`` (default: SCORECARD_DEMO) loads the demo values, timeline and OKRs.
    ``demo_people`` (default: the same as demo_data) seeds the demo people, one per role,
    and has them sign the seed catalog. Demo values only go into a demo database.
    """
    db_path = path or config.database_path()
    want_demo = config.demo_enabled() if demo_data is None else demo_data
    want_people = want_demo if demo_people is None else demo_people
    with store.connect(db_path) as con, store.transaction(con):
        seeded = _is_empty(con)
        if seeded:
            seed_catalog(con, demo_people=want_people or want_demo)
        demo_ready = want_demo and not _has_observations(con) and _demo_people_present(con)
        rows = load_demo(con, clock.today()) if demo_ready else 0
    return InitResult(db_path, seeded, rows)
