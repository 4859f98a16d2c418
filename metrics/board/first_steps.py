"""What to do next on a board that shows nothing yet (a real installation's first start).

With ``SCORECARD_DEMO=0`` the seed catalog arrives as proposals, and a definition counts
only once one IT approver and one marketing approver have signed it: until then the board
is empty. These steps say, in order, what unblocks it and where that is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics import access, store
from metrics.access import Person
from metrics.catalog import versions


@dataclass(frozen=True)
class Step:
    """One thing to do: what and why, and the page (script path) where it is done."""

    text: str
    page: str
    action: str  # the page's own permission: a step is offered only to those who may open it


def next_steps(con: store.Connection, person: Person | None) -> list[Step]:
    """The steps that would put agreed metrics on the board, for this person to take or pass on."""
    active = access.people(con)
    missing = [
        label
        for role, label in (("it_approver", "an IT approver"), ("marketing_approver", "a marketing approver"))
        if not any(p.has(role) for p in active)
    ]
    waiting = len(versions.open_versions(con))
    steps = []
    if missing:
        steps.append(
            Step(
                f"Add {' and '.join(missing)} on the People page: a definition counts once one IT "
                "and one marketing approver have signed it.",
                "pages/people.py",
                "manage_people",
            )
        )
    if waiting:
        steps.append(
            Step(
                f"{waiting} proposed definition{'s' if waiting != 1 else ''} wait for sign-off: an IT "
                "approver and a marketing approver each sign them under Definitions, Sign-off.",
                "pages/definitions.py",
                "view",
            )
        )
    else:
        steps.append(
            Step(
                "No definition is proposed yet: propose one under Definitions.",
                "pages/definitions.py",
                "propose_definition",
            )
        )
    return [s for s in steps if access.can(person, s.action)]
