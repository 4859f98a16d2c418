"""Roles and permissions, and every people write, for every role, on the server side."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from metrics import access, store
from metrics.access import Person
from metrics.cli import main as cli
from metrics.errors import InputRejected, NotFound, PermissionDenied
from tests.apptest import ONE_PER_ROLE
from tests.conftest import file_all_lake_some

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

BY_ROLE = ONE_PER_ROLE  # one demo person per role (tests/apptest.py)

#: The permission table as the product defines it (issue 6): who may take which action.
EXPECTED = {
    "view": set(access.ROLES),
    "view_uploads": {"admin", "executive", "it_approver", "marketing_approver", "uploader"},
    "upload": {"admin", "uploader"},
    "retract_upload": {"admin", "uploader"},
    "propose_definition": {"admin", "executive", "it_approver", "marketing_approver"},
    "sign_it": {"it_approver"},
    "sign_marketing": {"marketing_approver"},
    "edit_glossary": {"admin", "it_approver", "marketing_approver"},
    "comment": {"admin", "executive", "it_approver", "marketing_approver"},
    "manage_people": {"admin"},
    "freeze_pack": {"admin", "executive"},
    "manage_okrs": {"admin", "executive", "it_approver", "marketing_approver"},
    "add_event": {"admin", "executive"},
}


def _person(con: store.Connection, role: str) -> Person:
    return access.require_person(con, BY_ROLE[role])


def _audit(con: store.Connection, action: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "SELECT actor, subject, detail FROM audit_log WHERE action = ? ORDER BY logged_at", [action]
    ).fetchall()


# ---------------------------------------------------------------- the permission table


def test_the_permission_table_is_the_agreed_one() -> None:
    for action in EXPECTED:
        assert set(access.roles_allowed(action)) == EXPECTED[action], action
    # a new action must be added here (and to the README) on purpose
    assert set(access.PERMISSIONS) >= set(EXPECTED)


# A pure decision on a person read from the store: the file store is enough (reading people from
# the lake is tested below and in every write test).
@pytest.mark.parametrize("store_kind", ["file"])
@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", access.ROLES)
def test_require_allows_exactly_the_roles_in_the_table(
    store_kind: str, con: store.Connection, role: str, action: str
) -> None:
    person = _person(con, role)
    if role in EXPECTED[action]:
        assert access.require(person, action) is person
    else:
        with pytest.raises(PermissionDenied, match=re.escape(person.name)):
            access.require(person, action)


def test_the_readme_table_matches_the_code() -> None:
    for action in access.PERMISSIONS:
        cells = " | ".join("yes" if r in access.roles_allowed(action) else "" for r in access.ROLES)
        assert f"| `{action}` | {cells} |" in README, f"README permission row for {action} is out of date"


def test_a_board_member_may_only_view(con: store.Connection) -> None:
    board = _person(con, "board")
    assert [a for a in access.PERMISSIONS if access.can(board, a)] == ["view"]


def test_admins_never_sign_unless_they_are_approvers_too() -> None:
    admin = Person("a@example.com", "A", None, ("admin",))
    admin_and_it = Person("b@example.com", "B", "it_operations", ("admin", "it_approver"))
    assert not access.can(admin, "sign_it") and not access.can(admin, "sign_marketing")
    assert access.can(admin_and_it, "sign_it") and not access.can(admin_and_it, "sign_marketing")


def test_nobody_signed_in_may_do_nothing() -> None:
    assert not access.can(None, "view")
    with pytest.raises(PermissionDenied, match="sign in"):
        access.require(None, "view")


def test_several_roles_add_up() -> None:
    both = Person("c@example.com", "C", "security", ("uploader", "executive"))
    assert access.can(both, "upload") and access.can(both, "freeze_pack")
    assert not access.can(both, "manage_people")


def test_an_unknown_action_is_a_programming_error(con: store.Connection) -> None:
    with pytest.raises(KeyError):
        access.can(_person(con, "admin"), "launch_rockets")


# ---------------------------------------------------------------- add, change, restore, remove


#: every other role on the file store; on the lake the executive (the widest rights but admin's)
NOT_ADMINS = file_all_lake_some(
    [(r,) for r in access.ROLES if r != "admin"], lambda case: case[0] == "executive"
)


@pytest.mark.parametrize(("store_kind", "role"), NOT_ADMINS)
def test_only_admins_add_people(store_kind: str, con: store.Connection, role: str) -> None:
    before = store.table_counts(con)
    with pytest.raises(PermissionDenied):
        access.add_person(con, _person(con, role), email="new@example.com", name="New", roles=["board"])
    assert access.get_person(con, "new@example.com") is None
    assert store.table_counts(con) == before


@pytest.mark.parametrize(("store_kind", "role"), NOT_ADMINS)
def test_only_admins_remove_people(store_kind: str, con: store.Connection, role: str) -> None:
    with pytest.raises(PermissionDenied):
        access.remove_person(con, _person(con, role), "bea.board@example.com")
    assert access.get_person(con, "bea.board@example.com") is not None


def test_signed_out_nobody_manages_people(con: store.Connection) -> None:
    with pytest.raises(PermissionDenied):
        access.add_person(con, None, email="new@example.com", name="New", roles=["board"])
    with pytest.raises(PermissionDenied):
        access.remove_person(con, None, "bea.board@example.com")


def test_an_admin_adds_a_person_with_several_roles(con: store.Connection) -> None:
    admin = _person(con, "admin")
    person, outcome = access.add_person(
        con,
        admin,
        email="  Kim.Lee@Example.com ",
        name=" Kim   Lee ",
        roles=["uploader", "executive"],
        team="security",
    )
    assert outcome == "added"
    assert person == Person("kim.lee@example.com", "Kim Lee", "security", ("uploader", "executive"))
    assert access.get_person(con, "KIM.LEE@example.com") == person
    [(actor, subject, detail)] = _audit(con, "person_added")
    assert (actor, subject) == (admin.email, "kim.lee@example.com")
    assert json.loads(detail) == {"roles": ["uploader", "executive"], "team": "security"}


def test_adding_an_existing_person_changes_their_roles(con: store.Connection) -> None:
    admin = _person(con, "admin")
    person, outcome = access.add_person(
        con, admin, email="bea.board@example.com", name="Bea Hartmann", roles=["board", "executive"]
    )
    assert outcome == "changed" and person.roles == ("board", "executive")
    [(_, _, detail)] = _audit(con, "person_changed")
    assert json.loads(detail)["roles_before"] == ["board"]


def test_a_removed_person_loses_access_and_can_be_restored(con: store.Connection) -> None:
    admin = _person(con, "admin")
    removed = access.remove_person(con, admin, "Uma.Upload@example.com")
    assert removed.email == "uma.upload@example.com"
    assert access.get_person(con, "uma.upload@example.com") is None
    assert "uma.upload@example.com" not in {p.email for p in access.people(con)}
    # the row stays: uploads and signatures still name the person
    assert con.execute("SELECT count(*) FROM people WHERE email = 'uma.upload@example.com'").fetchone() == (
        1,
    )
    assert _audit(con, "person_removed")[0][:2] == (admin.email, "uma.upload@example.com")
    _, outcome = access.add_person(
        con,
        admin,
        email="uma.upload@example.com",
        name="Uma Patel",
        roles=["uploader"],
        team="marketing_analytics",
    )
    assert outcome == "restored" and access.get_person(con, "uma.upload@example.com") is not None


def test_removing_someone_unknown_or_already_removed_says_so(con: store.Connection) -> None:
    admin = _person(con, "admin")
    with pytest.raises(NotFound):
        access.remove_person(con, admin, "ghost@example.com")
    access.remove_person(con, admin, "bea.board@example.com")
    with pytest.raises(NotFound):
        access.remove_person(con, admin, "bea.board@example.com")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-email"}, "not an email address"),
        ({"email": "a@b"}, "not an email address"),
        ({"email": "<img src=x>@example.com"}, "not an email address"),
        ({"name": "   "}, "A name is required"),
        ({"name": "x" * 101}, "at most 100"),
        ({"roles": []}, "at least one role"),
        ({"roles": ["boss"]}, "Unknown role"),
        ({"roles": ["uploader"], "team": None}, "belongs to a team"),
        ({"team": "accounting"}, "Unknown team"),
    ],
)
def test_bad_people_input_is_refused_plainly(
    con: store.Connection, change: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {
        "email": "new@example.com",
        "name": "New Person",
        "roles": ["board"],
        "team": None,
    } | change
    before = store.table_counts(con)
    with pytest.raises(InputRejected, match=message):
        access.add_person(con, _person(con, "admin"), **fields)  # type: ignore[arg-type]
    assert store.table_counts(con) == before


def test_the_last_admin_can_be_neither_removed_nor_demoted(con: store.Connection) -> None:
    admin = _person(con, "admin")
    with pytest.raises(InputRejected, match="last admin"):
        access.remove_person(con, admin, admin.email)
    with pytest.raises(InputRejected, match="last admin"):
        access.add_person(con, admin, email=admin.email, name=admin.name, roles=["executive"])
    access.add_person(con, admin, email="second@example.com", name="Second", roles=["admin"])
    access.remove_person(con, admin, admin.email)  # now allowed: someone else can manage people
    assert access.get_person(con, admin.email) is None


def test_a_demoted_admin_loses_the_right_at_once(con: store.Connection) -> None:
    admin = _person(con, "admin")
    access.add_person(con, admin, email="second@example.com", name="Second", roles=["admin"])
    second = access.require_person(con, "second@example.com")
    access.add_person(con, admin, email=second.email, name=second.name, roles=["board"])
    fresh = access.get_person(con, second.email)
    assert fresh is not None and not access.can(fresh, "manage_people")
    with pytest.raises(PermissionDenied):
        access.remove_person(con, fresh, "bea.board@example.com")


# ---------------------------------------------------------------- first admins from configuration


def test_configured_admins_are_parsed_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_ADMINS", " Root@Example.com, ops@example.com  root@example.com")
    assert access.configured_admins() == ("root@example.com", "ops@example.com")
    monkeypatch.setenv("SCORECARD_ADMINS", "root@example.com, nonsense")
    with pytest.raises(InputRejected, match="nonsense"):
        access.configured_admins()


def test_first_admins_are_added_once(con: store.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_ADMINS", "root@example.com")
    assert access.ensure_first_admins(con) == ["root@example.com"]
    root = access.require_person(con, "root@example.com")
    assert root.roles == ("admin",) and root.name == "root"
    assert _audit(con, "first_admin")[0][:2] == ("configuration:SCORECARD_ADMINS", "root@example.com")
    assert access.ensure_first_admins(con) == []


def test_a_removed_first_admin_stays_removed_while_another_admin_exists(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORECARD_ADMINS", "root@example.com")
    access.ensure_first_admins(con)
    access.remove_person(con, _person(con, "admin"), "root@example.com")
    assert access.ensure_first_admins(con) == []
    assert access.get_person(con, "root@example.com") is None


def test_first_admins_come_back_when_no_admin_is_left(con: store.Connection) -> None:
    con.execute("UPDATE people SET active = FALSE WHERE list_contains(roles, 'admin')")
    assert access.ensure_first_admins(con, ["dana.it@example.com"]) == ["dana.it@example.com"]
    assert access.require_person(con, "dana.it@example.com").roles == ("admin", "it_approver")


def test_no_configured_admins_changes_nothing(con: store.Connection) -> None:
    before = store.table_counts(con)
    assert access.ensure_first_admins(con) == []
    assert store.table_counts(con) == before


# ---------------------------------------------------------------- the command line


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_people_cli_lists_adds_and_removes(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "people", "list", "--role", "board")
    assert code == 0 and "bea.board@example.com" in out and "uma.upload" not in out
    code, out, _ = _run(
        capsys,
        "people",
        "add",
        "kim@example.com",
        "--name",
        "Kim",
        "--role",
        "uploader",
        "--role",
        "board",
        "--team",
        "security",
        "--user",
        "alex.admin@example.com",
    )
    assert code == 0 and out.startswith("Added: kim@example.com")
    code, out, _ = _run(capsys, "people", "remove", "kim@example.com", "--user", "alex.admin@example.com")
    assert code == 0 and "no longer has access" in out
    code, out, _ = _run(capsys, "people", "list")
    assert code == 0 and "kim@example.com" not in out and "alex.admin@example.com" in out


def test_people_cli_refuses_a_non_admin_with_exit_2(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        capsys, "people", "remove", "bea.board@example.com", "--user", "marco.cmo@example.com"
    )
    assert code == 2 and "Not allowed" in err
    code, _, err = _run(capsys, "people", "remove", "bea.board@example.com", "--user", "ghost@example.com")
    assert code == 2 and "ghost@example.com" in err  # an unknown --user is a permission problem
    with store.connect(demo_db) as con:
        assert access.get_person(con, "bea.board@example.com") is not None


def test_people_cli_rejects_bad_input_with_exit_1(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys,
        "people",
        "add",
        "sam@example.com",
        "--name",
        "Sam",
        "--role",
        "uploader",
        "--user",
        "alex.admin@example.com",
    )
    assert code == 1 and "team" in err


def test_people_cli_applies_the_first_admins(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORECARD_ADMINS", "root@example.com")
    code, out, _ = _run(capsys, "people", "list", "--role", "admin")
    assert code == 0 and "root@example.com" in out
    code, out, _ = _run(
        capsys,
        "people",
        "add",
        "x@example.com",
        "--name",
        "X",
        "--role",
        "board",
        "--user",
        "root@example.com",
    )
    assert code == 0


@pytest.mark.parametrize("argv", [["people"], ["people", "list"], ["people", "add"], ["people", "remove"]])
def test_people_cli_has_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m metrics people" in capsys.readouterr().out


def test_people_cli_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            ["people", "add", "x@example.com", "--name", "X", "--role", "boss", "--user", "a@example.com"]
        )
    assert exit_info.value.code == 2


# ---------------------------------------------------------------- every write is guarded

ROOT = Path(__file__).resolve().parent.parent
#: Storage primitives: public functions that write without checking anyone, because
#: they are only the building blocks of guarded operations (or of first start).
#: Pages and ui/ never call them; a new one must be added here on purpose.
PRIMITIVES = {
    "access.upsert_person": "seed people on first start",
    "access.ensure_first_admins": "first admins from SCORECARD_ADMINS (whoever sets it owns the file)",
    "catalog.definitions.save_teams": "seed teams",
    "catalog.definitions.add_version": "building block of proposals.*",
    "catalog.definitions.record_signature": "building block of proposals.sign/decline",
    "catalog.glossary.save": "seed glossary; building block of glossary.set_term",
    "uploads.observations.add_upload": "building block of ingest.ingest",
    "uploads.observations.append": "building block of ingest.ingest",
    "uploads.observations.append_staged": "building block of ingest.ingest (the careful path)",
    "uploads.observations.mark_retracted": "building block of ingest.retract",
    "uploads.loading.load": "building block of ingest.ingest (the straight path)",
    "seed.first_start.seed_catalog": "first start",
    "board.timeline.add_seeded": "first start, demo data (the demo's timeline)",
    "seed.first_start.load_demo": "first start, demo data",
    "seed.first_start.initialise": "first start",
    "store.migrate": "schema migrations",
    "store.upsert": "building block of the people, teams and glossary writes",
    "lake.ddl": "schema migrations on the lake (turns a statement, writes nothing itself)",
    "lake.next_id": "building block of store.next_id, inside the caller's checked write",
    "store.audit": "the audit trail itself",
}
_WRITE_MARKERS = ("store.transaction(", "store.audit(", "INSERT ", "UPDATE ", "DELETE ")


def _module_name(path: Path) -> str:
    """metrics/catalog/definitions.py -> 'catalog.definitions'."""
    return ".".join(path.relative_to(ROOT / "metrics").with_suffix("").parts)


def _public_writes() -> dict[str, bool]:
    """<package.module>.<function> under metrics/ -> whether it calls access.require / require itself."""
    found: dict[str, bool] = {}
    for path in sorted((ROOT / "metrics").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                source = ast.get_source_segment(text, node) or ""
                if any(marker in source for marker in _WRITE_MARKERS):
                    found[f"{_module_name(path)}.{node.name}"] = "require(" in source
    return found


def _local_names(tree: ast.Module) -> dict[str, str]:
    """The name each imported metrics module goes by in a file: 'catalog.definitions' -> 'catalog'."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "metrics":
            for alias in node.names:
                module = ".".join([*node.module.split(".")[1:], alias.name])
                names[module] = alias.asname or alias.name
    return names


def test_every_public_write_in_metrics_checks_the_acting_person() -> None:
    writes = _public_writes()
    assert "access.add_person" in writes and "catalog.proposals.sign" in writes
    unguarded = sorted(name for name, guarded in writes.items() if not guarded and name not in PRIMITIVES)
    assert not unguarded, f"these write without access.require (or belong in PRIMITIVES): {unguarded}"


def test_pages_and_ui_never_call_a_storage_primitive() -> None:
    allowed = {"seed.first_start.initialise", "access.ensure_first_admins"}  # ui.ensure_database, at start
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]):
        text = path.read_text(encoding="utf-8")
        local = _local_names(ast.parse(text))
        for name in set(PRIMITIVES) - allowed:
            module, function = name.rsplit(".", 1)
            call = f"{local.get(module, module)}.{function}("
            assert call not in text, f"{path.relative_to(ROOT)} calls {name} directly"


def test_every_action_reads_as_words_in_a_refusal(con: store.Connection) -> None:
    assert set(access.ACTION_PHRASES) == set(access.PERMISSIONS)
    board_member = access.require_person(con, "bea.board@example.com")
    with pytest.raises(
        PermissionDenied, match=r"^Bea Hartmann \(Board member\) may not sign definitions for IT\.$"
    ):
        access.require(board_member, "sign_it")


def test_an_empty_user_is_asked_for_plainly(con: store.Connection) -> None:
    with pytest.raises(PermissionDenied, match="No person given"):
        access.require_person(con, "  ")
