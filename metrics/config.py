"""Settings, as data. Each one is read from the environment when asked for.

``tests/test_docs.py`` fails when a setting here is missing from the README,
so the list below and the documentation cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {
    s.env: s
    for s in (
        Setting(
            "SCORECARD_DB",
            "data/scorecard.duckdb",
            "Path of the DuckDB file. A relative path is taken from the project folder.",
        ),
        Setting(
            "SCORECARD_LOCK_TIMEOUT",
            "15",
            "Seconds to keep retrying when another process holds the database, "
            "before giving up with 'database busy'.",
        ),
        Setting(
            "SCORECARD_DEMO",
            "1",
            "1 = fill an empty database with the demo people, values, timeline and OKRs; "
            "0 = a real installation: no demo person, the seed catalog arrives as proposals to sign.",
        ),
        Setting(
            "SCORECARD_TODAY",
            "",
            "Pretend today is this ISO date (for demos and tests). Empty = the real date.",
        ),
        Setting(
            "SCORECARD_MAX_UPLOAD_MB",
            "50",
            "Largest metric CSV accepted, in megabytes.",
        ),
        Setting(
            "SCORECARD_INGEST_MEMORY",
            "500MB",
            "Memory DuckDB may use while checking and storing an upload; beyond it, it spills to disk.",
        ),
        Setting(
            "SCORECARD_MAX_ROWS",
            "5000000",
            "Most data rows accepted in one metric CSV.",
        ),
        Setting(
            "SCORECARD_PDF_FONT_DIR",
            "/usr/share/fonts/truetype/dejavu",
            "Folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSans-Oblique.ttf for the PDFs "
            "(Debian's fonts-dejavu-core puts them here). Without them PDFs use Helvetica: Latin-1 only.",
        ),
        Setting(
            "SCORECARD_ADMINS",
            "",
            "The first admins: emails (comma separated) made admins on start when they have never "
            "been in the people table, or when no active admin is left.",
        ),
    )
}


def setting(env: str) -> str:
    """The value of a setting: the environment if set and not blank, else its default."""
    value = os.environ.get(env, "").strip()
    return value or SETTINGS[env].default


def database_path() -> Path:
    raw = Path(setting("SCORECARD_DB")).expanduser()
    return raw if raw.is_absolute() else PROJECT_ROOT / raw


def lock_timeout() -> float:
    return float(setting("SCORECARD_LOCK_TIMEOUT"))


def demo_enabled() -> bool:
    return setting("SCORECARD_DEMO") not in {"0", "false", "no"}


def configured_today() -> dt.date | None:
    """The day SCORECARD_TODAY pretends it is, or None for the real date (see ``metrics.clock``)."""
    raw = setting("SCORECARD_TODAY")
    return dt.date.fromisoformat(raw) if raw else None
