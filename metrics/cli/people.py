"""``python -m metrics people add|list|remove``: who may use the Shared Scorecard.

Changes are made by an admin named with ``--user``, checked like any other write;
the first admins come from SCORECARD_ADMINS, applied before every command.
"""

from __future__ import annotations

import argparse

from metrics import access, store
from metrics.cli.args import add_user


def _acting(con: store.Connection, email: str) -> access.Person:
    access.ensure_first_admins(con)
    return access.require(access.require_person(con, email), "manage_people")


def _list(args: argparse.Namespace) -> int:
    with store.connect() as con:
        access.ensure_first_admins(con)
        everyone = access.people(con)
    if args.role:
        everyone = [p for p in everyone if p.has(args.role)]
    if not everyone:
        print("Nobody yet." if not args.role else f"Nobody has the role {args.role}.")
        return 0
    width = max(len(p.email) for p in everyone)
    for p in everyone:
        print(
            f"{p.email:<{width}}  {p.name}  [{', '.join(p.roles)}]" + (f"  team {p.team}" if p.team else "")
        )
    return 0


def _add(args: argparse.Namespace) -> int:
    with store.connect() as con:
        admin = _acting(con, args.user)
        person, outcome = access.add_person(
            con, admin, email=args.email, name=args.name, roles=args.role, team=args.team
        )
    print(f"{outcome.capitalize()}: {person.email} ({person.name}) as {person.roles_label}.")
    return 0


def _remove(args: argparse.Namespace) -> int:
    with store.connect() as con:
        admin = _acting(con, args.user)
        person = access.remove_person(con, admin, args.email)
    print(f"Removed: {person.email} ({person.name}) no longer has access.")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    people = commands.add_parser(
        "people",
        help="list, add or remove the people who may use the app, and their roles",
        description="People and their roles. Roles: " + ", ".join(access.ROLES) + ". "
        "Adding someone who exists changes their name, team and roles.",
    )
    actions = people.add_subparsers(dest="people_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="everyone with access", description="Everyone with access.")
    listing.add_argument("--role", choices=access.ROLES, help="only people with this role")
    listing.set_defaults(handler=_list)

    add = actions.add_parser(
        "add",
        help="add a person or change their roles",
        description="Add a person (or give a removed person access again, or change a person's "
        "name, team and roles). Needs an admin.",
    )
    add.add_argument("email", help="the person's sign-in email")
    add.add_argument("--name", required=True, help="name shown on screen")
    add.add_argument(
        "--role", action="append", required=True, choices=access.ROLES, help="a role; repeat for several"
    )
    add.add_argument("--team", help="team id (required for uploaders), e.g. marketing_analytics")
    add_user(add, "the admin making the change")
    add.set_defaults(handler=_add)

    remove = actions.add_parser(
        "remove",
        help="take away a person's access",
        description="Take away a person's access at their next click. Their history stays. Needs an admin.",
    )
    remove.add_argument("email", help="the person's sign-in email")
    add_user(remove, "the admin making the change")
    remove.set_defaults(handler=_remove)
