"""metrics/ is the core: it must run without the UI (no streamlit import anywhere in it)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import metrics


def test_metrics_package_never_imports_streamlit() -> None:
    modules = sorted(
        m.name for m in pkgutil.walk_packages(metrics.__path__, "metrics.") if m.name != "metrics.__main__"
    )
    assert "metrics.store" in modules and "metrics.catalog.definitions" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(leaked))\n"
        "sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"metrics/ pulled in streamlit: {result.stdout} {result.stderr}"


def test_pages_hold_no_sql() -> None:
    """Pages are thin: widgets in, metrics/ calls, render. SQL lives in metrics/."""
    from pathlib import Path

    root = Path(metrics.__file__).resolve().parent.parent
    for page in sorted((root / "pages").glob("*.py")):
        text = page.read_text(encoding="utf-8").upper()
        for keyword in ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "DUCKDB"):
            assert keyword not in text, f"{page.name} contains {keyword.strip()}"


def test_pages_never_open_the_database_nor_draw_charts_themselves() -> None:
    """A page is widgets -> ui/ -> render: the store, DuckDB and plotly stay behind ui/ and metrics/."""
    import ast
    from pathlib import Path

    root = Path(metrics.__file__).resolve().parent.parent
    for page in [*sorted((root / "pages").glob("*.py")), root / "dashboard.py"]:
        tree = ast.parse(page.read_text(encoding="utf-8"))
        imported = {
            alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        banned = {i for i in imported if i.split(".")[0] in {"duckdb", "plotly"} or i == "metrics.store"}
        assert not banned, f"{page.name} imports {sorted(banned)}"
