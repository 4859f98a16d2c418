"""One owner per piece of knowledge: SQL that reads sign-off state lives with the catalog only,
so there is one rule for which definition version is agreed (a copy elsewhere drifted once)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from metrics import config

ROOT = config.PROJECT_ROOT
#: the catalog's own package, and the migrations that create the tables
CATALOG = ROOT / "metrics" / "catalog"
MIGRATIONS = ROOT / "metrics" / "store.py"
_SIGN_OFF_SQL = re.compile(r"\b(FROM|JOIN|INTO|UPDATE)\s+(signatures|metric_versions)\b", re.I)


def sign_off_sql_outside_the_catalog(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if path == MIGRATIONS or CATALOG in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _SIGN_OFF_SQL.search(node.value)
            ):
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.append(f"{shown}:{node.lineno}")
    return found


def test_only_the_catalog_reads_sign_off_state() -> None:
    paths = [*(ROOT / "metrics").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]
    assert sign_off_sql_outside_the_catalog(sorted(paths)) == []


def test_the_check_finds_a_copy_of_the_rule(tmp_path: Path) -> None:
    planted = tmp_path / "planted_sign_off_copy.py"  # never inside the tree: other workers scan it
    planted.write_text('Q = "SELECT * FROM signatures s JOIN metric_versions v USING (metric_id)"\n')
    assert sign_off_sql_outside_the_catalog([planted]) == ["planted_sign_off_copy.py:1"]


_WRITES = re.compile(
    r"\b(?:INSERT INTO|(?<!DO )UPDATE|DELETE FROM)\s+([a-z_]+)\b", re.I
)  # not ON CONFLICT DO UPDATE
#: the straight path loads a file's rows into observations inside DuckDB (an f-string the scan
#: below cannot read); observations.py owns every other write of that table
_READ_BY_HAND = {"observations": "metrics/uploads/loading.py"}


def _writers() -> dict[str, set[str]]:
    """Table -> the modules under metrics/ whose SQL writes it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "metrics").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for table in _WRITES.findall(node.value):
                    found.setdefault(table.lower(), set()).add(str(path.relative_to(ROOT)))
    return found


def test_each_table_is_written_by_one_module() -> None:
    writers = _writers()
    assert writers["observations"] == {"metrics/uploads/observations.py"}, _READ_BY_HAND
    several = {table: sorted(modules) for table, modules in writers.items() if len(modules) > 1}
    assert several == {}


_INSERT_WITHOUT_COLUMNS = re.compile(r"\bINSERT INTO\s+[a-z_{}]+\s+(VALUES|SELECT)\b", re.I)


def test_every_insert_names_its_columns() -> None:
    """An INSERT that relies on column order breaks at run time on the next ADD COLUMN."""
    unnamed = []
    for path in sorted((ROOT / "metrics").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if _INSERT_WITHOUT_COLUMNS.search(text):
                unnamed.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    assert unnamed == []
