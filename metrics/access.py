"""People, roles and permissions, as plain functions over a person.

Every write in ``metrics/`` calls :func:`require` with the acting person; the
UI may hide a button, but the refusal happens here, on the server. People are
looked up on every page run, so removing or demoting someone takes effect at
their next click.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from metrics import clock, config, store
from metrics.errors import InputRejected, NotFound, PermissionDenied

ROLES = ("admin", "executive", "it_approver", "marketing_approver", "uploader", "board")
ROLE_LABELS = {
    "admin": "Admin",
    "executive": "Executive",
    "it_approver": "IT approver",
    "marketing_approver": "Marketing approver",
    "uploader": "Uploader",
    "board": "Board member",
}

#: action -> roles allowed to take it. Admins may take every action except those in
#: ADMIN_MAY_NOT; add an action here before calling require() with it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "upload": frozenset({"uploader"}),
    "retract_upload": frozenset({"uploader"}),
    "view_uploads": frozenset({"uploader", "executive", "it_approver", "marketing_approver"}),
    "propose_definition": frozenset({"executive", "it_approver", "marketing_approver"}),
    "sign_it": frozenset({"it_approver"}),
    "sign_marketing": frozenset({"marketing_approver"}),
    "edit_glossary": frozenset({"it_approver", "marketing_approver"}),
    "comment": frozenset({"executive", "it_approver", "marketing_approver"}),
    "manage_people": frozenset(),
    "freeze_pack": frozenset({"executive"}),
    "manage_okrs": frozenset({"executive", "it_approver", "marketing_approver"}),
    "add_event": frozenset({"executive"}),
}

#: A signature is one approver's personal agreement for their side; an admin who
#: could sign would make the two-party sign-off a one-party one. An admin who must
#: sign holds the approver role as well.
ADMIN_MAY_NOT: frozenset[str] = frozenset({"sign_it", "sign_marketing"})

#: Roles that only make sense with a team (the team whose metrics an uploader sends).
ROLES_NEEDING_A_TEAM = frozenset({"uploader"})

SEED_PEOPLE = config.DATA_DIR / "people.yaml"
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_CONFIGURATION_ACTOR = "configuration:SCORECARD_ADMINS"


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    team: str | None
    roles: tuple[str, ...]

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_board_only(self) -> bool:
        return set(self.roles) == {"board"}

    @property
    def roles_label(self) -> str:
        return ", ".join(ROLE_LABELS.get(r, r) for r in self.roles)


#: Which side of the partnership a team works for; a person's approver role decides first.
TEAM_SIDES = {
    "it_operations": "it",
    "security": "it",
    "engineering": "it",
    "marketing_analytics": "marketing",
}
SIDE_NAMES = {"it": "IT", "marketing": "marketing"}


def side_of(person: Person) -> str | None:
    """'it' or 'marketing': an IT or marketing approver's side, else their team's; None for
    anyone else (an admin of the partnership office, a board member)."""
    if person.is_board_only:
        return None
    if person.has("it_approver") != person.has("marketing_approver"):
        return "it" if person.has("it_approver") else "marketing"
    return TEAM_SIDES.get(person.team or "")


def require_owner(person: Person, side: str, what: str) -> Person:
    """Refuse an owner from the wrong side (or the board): an IT owner works on the IT side."""
    if side_of(person) != side:
        raise InputRejected(
            f"{person.name} cannot be the {SIDE_NAMES[side]} owner of {what}: the {SIDE_NAMES[side]} "
            f"owner is someone on the {SIDE_NAMES[side]} side (by approver role or team)."
        )
    return person


def can(person: Person | None, action: str) -> bool:
    """May ``person`` take ``action``? An unknown action is a programming error (KeyError)."""
    allowed = PERMISSIONS[action]
    if person is None:
        return False
    if "admin" in person.roles and action not in ADMIN_MAY_NOT:
        return True
    return bool(allowed.intersection(person.roles))


#: each action as a sentence reads it: "Bea Hartmann (Board member) may not sign for IT."
ACTION_PHRASES = {
    "view": "see the scorecard",
    "upload": "upload metric values",
    "retract_upload": "retract an upload",
    "view_uploads": "see the upload history",
    "propose_definition": "propose a definition",
    "sign_it": "sign definitions for IT",
    "sign_marketing": "sign definitions for marketing",
    "edit_glossary": "edit the glossary",
    "comment": "comment",
    "manage_people": "manage people",
    "freeze_pack": "freeze a board pack",
    "manage_okrs": "manage OKRs",
    "add_event": "add events to the timeline",
}


def require(person: Person | None, action: str) -> Person:
    """Return the person if they may take ``action``; otherwise raise PermissionDenied."""
    if person is None:
        raise PermissionDenied("Please sign in first.")
    if not can(person, action):
        raise PermissionDenied(
            f"{person.name} ({person.roles_label or 'no role'}) may not {ACTION_PHRASES[action]}."
        )
    return person


def roles_allowed(action: str) -> tuple[str, ...]:
    """Every role that may take ``action``, in ROLES order (admin included where it applies)."""
    return tuple(r for r in ROLES if can(Person("", "", None, (r,)), action))


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The email in its stored form (trimmed, lower case), or InputRejected."""
    cleaned = _normalise_email(email)
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InputRejected(f"{email.strip()!r} is not an email address.")
    return cleaned


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(r.strip() for r in roles if r.strip()))
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise InputRejected(f"Unknown role(s): {', '.join(unknown)}. Roles are: {', '.join(ROLES)}.")
    if not chosen:
        raise InputRejected("A person needs at least one role.")
    return chosen


def upsert_person(con: store.Connection, person: Person) -> None:
    """Store a person as given (seed data). People changes go through add_person."""
    store.upsert(
        con,
        "people",
        {"email": _normalise_email(person.email)},
        {"name": person.name, "team": person.team, "roles": list(check_roles(person.roles)), "active": True},
        {"added_at": clock.now()},
    )


def get_person(con: store.Connection, email: str) -> Person | None:
    """The active person with this email, or None (looked up on every rerun)."""
    row = con.execute(
        "SELECT email, name, team, roles FROM people WHERE email = ? AND active",
        [_normalise_email(email)],
    ).fetchone()
    return Person(row[0], row[1], row[2], tuple(row[3])) if row else None


def people(con: store.Connection) -> list[Person]:
    rows = con.execute("SELECT email, name, team, roles FROM people WHERE active ORDER BY name").fetchall()
    return [Person(r[0], r[1], r[2], tuple(r[3])) for r in rows]


def names(con: store.Connection) -> dict[str, str]:
    """Email -> name of everyone ever added (a removed person still signed and wrote what they did)."""
    return {str(email): str(name) for email, name in con.execute("SELECT email, name FROM people").fetchall()}


def require_person(con: store.Connection, email: str) -> Person:
    """The active person acting as ``email``; someone unknown may do nothing (exit 2 on the command line)."""
    if not email.strip():
        raise PermissionDenied("No person given: name who is acting by their email (--user EMAIL).")
    person = get_person(con, email)
    if person is None:
        raise PermissionDenied(f"{email} is not in the people table; ask an admin to add you.")
    return person


def load_seed_people(path: Path = SEED_PEOPLE) -> list[Person]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Person(p["email"], p["name"], p.get("team"), tuple(p["roles"])) for p in raw.get("people") or []]


# ---------------------------------------------------------------- managing people


def _active_admins(con: store.Connection) -> set[str]:
    rows = con.execute("SELECT email FROM people WHERE active AND list_contains(roles, 'admin')").fetchall()
    return {r[0] for r in rows}


def _keep_an_admin(con: store.Connection, email: str, stays_admin: bool) -> None:
    """Refuse a change that would leave nobody able to manage people."""
    if not stays_admin and _active_admins(con) == {email}:
        raise InputRejected(f"{email} is the last admin. Make someone else an admin first.")


def _check_team(con: store.Connection, team: str | None, roles: tuple[str, ...]) -> str | None:
    team = (team or "").strip() or None
    known = dict(con.execute("SELECT team_id, name FROM teams").fetchall())
    if team is not None and team not in known:
        raise InputRejected(f"Unknown team {team!r}. Teams are: {', '.join(sorted(known))}.")
    needs_team = sorted(ROLES_NEEDING_A_TEAM.intersection(roles))
    if team is None and needs_team:
        raise InputRejected(
            f"A person with the role {', '.join(needs_team)} belongs to a team; choose one of "
            f"{', '.join(sorted(known))}."
        )
    return team


def add_person(
    con: store.Connection,
    actor: Person | None,
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    team: str | None = None,
) -> tuple[Person, str]:
    """Add a person, give a removed one access again, or change someone's name, team
    and roles. Returns the stored person and what happened: 'added', 'restored' or 'changed'."""
    admin = require(actor, "manage_people")
    clean_email = check_email(email)
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > 100:
        raise InputRejected("A name is required (at most 100 characters).")
    clean_roles = check_roles(roles)
    clean_team = _check_team(con, team, clean_roles)
    with store.transaction(con):
        before = con.execute(
            "SELECT roles, team, active FROM people WHERE email = ?", [clean_email]
        ).fetchone()
        _keep_an_admin(con, clean_email, "admin" in clean_roles)
        store.upsert(
            con,
            "people",
            {"email": clean_email},
            {"name": clean_name, "team": clean_team, "roles": list(clean_roles), "active": True},
            {"added_at": clock.now()},
        )
        outcome = "added" if before is None else ("changed" if before[2] else "restored")
        detail = {"roles": list(clean_roles), "team": clean_team}
        if before is not None:
            detail |= {"roles_before": list(before[0]), "team_before": before[1], "was_active": before[2]}
        store.audit(con, admin.email, f"person_{outcome}", clean_email, json.dumps(detail))
    return Person(clean_email, clean_name, clean_team, clean_roles), outcome


def remove_person(con: store.Connection, actor: Person | None, email: str) -> Person:
    """Take away someone's access. Their row stays (uploads and signatures name them);
    they lose access at their next click, even with a valid sign-in cookie."""
    admin = require(actor, "manage_people")
    with store.transaction(con):
        person = get_person(con, email)
        if person is None:
            raise NotFound(f"No active person with the email {email.strip()!r}.")
        _keep_an_admin(con, person.email, stays_admin=False)
        con.execute("UPDATE people SET active = FALSE WHERE email = ?", [person.email])
        store.audit(
            con, admin.email, "person_removed", person.email, json.dumps({"roles": list(person.roles)})
        )
    return person


def configured_admins() -> tuple[str, ...]:
    """The emails in SCORECARD_ADMINS (comma or space separated), checked."""
    raw = config.setting("SCORECARD_ADMINS").replace(",", " ").split()
    return tuple(dict.fromkeys(check_email(e) for e in raw))


def ensure_first_admins(con: store.Connection, emails: Iterable[str] | None = None) -> list[str]:
    """Make the configured first admins admins; returns the emails added or restored.

    This is the one write without an acting person: whoever sets the server's
    configuration already controls the database file. A configured email that was
    never in the people table is added as an admin; one that an admin removed or
    demoted later stays that way, unless no active admin is left at all (then the
    configured ones are restored as admins, so the app can always be managed).
    """
    wanted = tuple(emails) if emails is not None else configured_admins()
    if not wanted:
        return []
    changed: list[str] = []
    with store.transaction(con):
        nobody_left = not _active_admins(con)
        for email in (check_email(e) for e in wanted):
            row = con.execute("SELECT roles, active FROM people WHERE email = ?", [email]).fetchone()
            if row is not None and not nobody_left:
                continue
            if row is not None and row[1] and "admin" in row[0]:
                continue
            roles = sorted({*(row[0] if row else ()), "admin"}, key=ROLES.index)
            store.upsert(
                con,
                "people",
                {"email": email},
                {"roles": roles, "active": True},
                {"name": email.split("@")[0], "team": None, "added_at": clock.now()},
            )
            store.audit(con, _CONFIGURATION_ACTOR, "first_admin", email, json.dumps({"roles": roles}))
            changed.append(email)
    return changed
