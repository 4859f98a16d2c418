"""People widgets' data: short-lived connections around metrics.access calls."""

from __future__ import annotations

from collections.abc import Iterable

from metrics import access, store
from metrics.access import Person
from metrics.catalog import definitions as catalog


def rows() -> list[dict[str, object]]:
    """One plain row per active person, for a table."""
    with store.connect() as con:
        teams = catalog.teams(con)
        return [
            {
                "Name": p.name,
                "Email": p.email,
                "Roles": p.roles_label,
                "Team": teams.get(p.team, p.team) if p.team else "",
            }
            for p in access.people(con)
        ]


def teams() -> dict[str, str]:
    with store.connect() as con:
        return catalog.teams(con)


def save(actor: Person | None, email: str, name: str, roles: Iterable[str], team: str | None) -> str:
    with store.connect() as con:
        person, outcome = access.add_person(con, actor, email=email, name=name, roles=roles, team=team)
    return f"{outcome.capitalize()}: {person.name} ({person.email}) as {person.roles_label}."


def remove(actor: Person | None, email: str) -> str:
    with store.connect() as con:
        person = access.remove_person(con, actor, email)
    return f"Removed: {person.name} ({person.email}) no longer has access."


def permission_rows() -> list[dict[str, str]]:
    """Which role may take which action, as the server enforces it."""
    return [
        {"Action": action.replace("_", " ")}
        | {access.ROLE_LABELS[r]: "✓" if r in access.roles_allowed(action) else "" for r in access.ROLES}
        for action in access.PERMISSIONS
    ]
