"""People, roles and permissions, as plain functions over a person.

Every write in ``metrics/`` calls :func:`require` with the acting person; the
UI may hide a button, but the refusal happens here, on the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from metrics import config, store
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

#: action -> roles allowed to take it (admin may do everything)
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "upload": frozenset({"uploader"}),
    "retract_upload": frozenset({"uploader"}),
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

SEED_PEOPLE = config.DATA_DIR / "people.yaml"


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


def can(person: Person | None, action: str) -> bool:
    if person is None:
        return False
    if "admin" in person.roles:
        return True
    return bool(PERMISSIONS[action].intersection(person.roles))


def require(person: Person | None, action: str) -> Person:
    """Return the person if they may take ``action``; otherwise raise PermissionDenied."""
    if person is None:
        raise PermissionDenied("Please sign in first.")
    if not can(person, action):
        raise PermissionDenied(
            f"{person.name} ({person.roles_label or 'no role'}) may not {action.replace('_', ' ')}."
        )
    return person


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(r.strip() for r in roles if r.strip()))
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise InputRejected(f"Unknown role(s): {', '.join(unknown)}. Roles are: {', '.join(ROLES)}.")
    if not chosen:
        raise InputRejected("A person needs at least one role.")
    return chosen


def upsert_person(con: store.Connection, person: Person) -> None:
    con.execute(
        "INSERT INTO people (email, name, team, roles, active, added_at) VALUES (?, ?, ?, ?, TRUE, ?) "
        "ON CONFLICT (email) DO UPDATE SET name = excluded.name, team = excluded.team, "
        "roles = excluded.roles, active = TRUE",
        [
            _normalise_email(person.email),
            person.name,
            person.team,
            list(check_roles(person.roles)),
            store.now(),
        ],
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


def require_person(con: store.Connection, email: str) -> Person:
    person = get_person(con, email)
    if person is None:
        raise NotFound(f"No active person with the email {email!r}.")
    return person


def load_seed_people(path: Path = SEED_PEOPLE) -> list[Person]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Person(p["email"], p["name"], p.get("team"), tuple(p["roles"])) for p in raw.get("people") or []]
