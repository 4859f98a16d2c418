"""Settings, as data, each typed once. Each one is read from the environment when asked for.

A value that cannot be used raises ``BadSetting`` naming the setting, the value and what is
allowed, in one line: the command line exits 2 with it and the app shows it, never a traceback.
``tests/test_docs.py`` fails when a setting here is missing from the README,
so the list below and the documentation cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from metrics.errors import BadSetting

T = TypeVar("T")

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
            "SCORECARD_EARLIEST_PERIOD",
            "2000-01-01",
            "The earliest period start an upload may carry: restating history years back is fine, "
            "a period in the year 1 or 1900 is a typo.",
        ),
        Setting(
            "SCORECARD_PDF_FONT_DIR",
            "/usr/share/fonts/truetype/dejavu",
            "Folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSans-Oblique.ttf for the PDFs "
            "(Debian's fonts-dejavu-core puts them here). Without them PDFs use Helvetica: Latin-1 only.",
        ),
        Setting(
            "SCORECARD_STORE",
            "file",
            "Where everything is kept: file (one embedded DuckDB file, SCORECARD_DB) or ducklake "
            "(a DuckLake: catalog in PostgreSQL, data files in S3 or a shared folder; several replicas "
            "and writers).",
        ),
        Setting(
            "SCORECARD_LAKE_CATALOG",
            "",
            "The DuckLake catalog's PostgreSQL database, as libpq key=value pairs "
            "(host=db port=5432 dbname=scorecard user=scorecard). No password here: see "
            "SCORECARD_LAKE_PASSWORD.",
        ),
        Setting(
            "SCORECARD_LAKE_PASSWORD",
            "",
            "The catalog user's password (or [store] lake_password in .streamlit/secrets.toml).",
        ),
        Setting(
            "SCORECARD_LAKE_DATA",
            "",
            "Where the DuckLake data files go: s3://bucket/prefix/ or a folder every replica shares.",
        ),
        Setting(
            "SCORECARD_S3_ENDPOINT",
            "",
            "host:port of an S3-compatible store; empty = Amazon S3.",
        ),
        Setting("SCORECARD_S3_REGION", "us-east-1", "The S3 region."),
        Setting("SCORECARD_S3_URL_STYLE", "vhost", "vhost or path (most S3-compatible stores want path)."),
        Setting(
            "SCORECARD_S3_USE_SSL", "1", "1 = HTTPS to the S3 endpoint, 0 = plain HTTP (a local emulator)."
        ),
        Setting(
            "SCORECARD_S3_TIMEOUT",
            "10",
            "Seconds DuckDB waits for one answer from the object store (each request is tried 3 "
            "times) before the page says the store is unavailable.",
        ),
        Setting(
            "SCORECARD_S3_KEY_ID",
            "",
            "S3 access key id (or [store] s3_key_id in .streamlit/secrets.toml).",
        ),
        Setting(
            "SCORECARD_S3_SECRET",
            "",
            "S3 secret access key (or [store] s3_secret in .streamlit/secrets.toml).",
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
    """The raw text of a setting: the environment if set and not blank, else its default."""
    value = os.environ.get(env, "").strip()
    return value or SETTINGS[env].default


def _typed(env: str, parse: Callable[[str], T], allowed: str) -> T:
    raw = setting(env)
    try:
        return parse(raw)
    except (ValueError, OverflowError) as exc:
        default = SETTINGS[env].default or "empty"
        raise BadSetting(f"{env}={raw!r} is not allowed: {allowed} (default {default}).") from exc


def _number(text: str, *, low: float, low_included: bool = True) -> float:
    number = float(text)
    if not math.isfinite(number) or number < low or (number == low and not low_included):
        raise ValueError(text)
    return number


def _whole(text: str, *, low: int) -> int:
    if not re.fullmatch(r"[0-9]+", text) or int(text) < low:
        raise ValueError(text)
    return int(text)


_YES, _NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _switch(text: str) -> bool:
    if text.lower() in _YES | _NO:
        return text.lower() in _YES
    raise ValueError(text)


def database_path() -> Path:
    raw = Path(setting("SCORECARD_DB")).expanduser()
    return raw if raw.is_absolute() else PROJECT_ROOT / raw


def lock_timeout() -> float:
    """Seconds to wait for another process's lock: a finite number, 0 or more."""
    return _typed("SCORECARD_LOCK_TIMEOUT", lambda t: _number(t, low=0), "a number of seconds, 0 or more")


def demo_enabled() -> bool:
    return _typed("SCORECARD_DEMO", _switch, "1 (on) or 0 (off); also true/false, yes/no, on/off")


def configured_today() -> dt.date | None:
    """The day SCORECARD_TODAY pretends it is, or None for the real date (see ``metrics.clock``)."""
    if not setting("SCORECARD_TODAY"):
        return None
    return _typed(
        "SCORECARD_TODAY", dt.date.fromisoformat, "a date written YYYY-MM-DD, or empty for the real date"
    )


def max_upload_bytes() -> int:
    """The largest metric CSV accepted, from SCORECARD_MAX_UPLOAD_MB (a number above 0)."""
    megabytes = _typed(
        "SCORECARD_MAX_UPLOAD_MB",
        lambda t: _number(t, low=0, low_included=False),
        "a number of megabytes above 0",
    )
    return int(megabytes * 1024 * 1024)


def max_rows() -> int:
    return _typed("SCORECARD_MAX_ROWS", lambda t: _whole(t, low=1), "a whole number of rows, 1 or more")


def ingest_memory() -> str:
    """DuckDB's memory cap for an ingest, checked so it can go into SET safely."""

    def parse(text: str) -> str:
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", text, flags=re.IGNORECASE):
            raise ValueError(text)
        return text

    return _typed("SCORECARD_INGEST_MEMORY", parse, "an amount such as 500MB or 1GB")


def earliest_period() -> dt.date:
    return _typed("SCORECARD_EARLIEST_PERIOD", dt.date.fromisoformat, "a date written YYYY-MM-DD")


STORES = ("file", "ducklake")


def store_kind() -> str:
    def parse(text: str) -> str:
        if text.lower() not in STORES:
            raise ValueError(text)
        return text.lower()

    return _typed("SCORECARD_STORE", parse, "file or ducklake")


@dataclass(frozen=True)
class LakeSettings:
    """Where a DuckLake store lives and how to reach it; secrets are kept out of ``repr``."""

    catalog: str  # libpq key=value pairs, no password
    data: str  # s3://bucket/prefix/ or a folder
    password: str = field(default="", repr=False)
    s3_endpoint: str = ""
    s3_region: str = "us-east-1"
    s3_url_style: str = "vhost"
    s3_use_ssl: bool = True
    s3_key_id: str = field(default="", repr=False)
    s3_secret: str = field(default="", repr=False)
    s3_timeout_seconds: int = 10

    @property
    def on_s3(self) -> bool:
        return self.data.startswith("s3://")


def _secret(env: str, key: str) -> str:
    """A secret from the environment, else from ``[store]`` in .streamlit/secrets.toml."""
    if value := setting(env):
        return value
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        section = tomllib.load(handle).get("store", {})
    return str(section.get(key, "")) if isinstance(section, dict) else ""


def lake_settings() -> LakeSettings:
    """The DuckLake store's settings, checked: a catalog and a data path are required, and a
    password never travels in the catalog address."""

    def catalog(text: str) -> str:
        if not text or re.search(r"(^|\s)password\s*=", text) or "://" in text:
            raise ValueError(text)
        return text

    def data(text: str) -> str:
        if not text:
            raise ValueError(text)
        return text if text.startswith("s3://") else str(Path(text).expanduser().resolve())

    def url_style(text: str) -> str:
        if text not in ("vhost", "path"):
            raise ValueError(text)
        return text

    return LakeSettings(
        catalog=_typed(
            "SCORECARD_LAKE_CATALOG",
            catalog,
            "libpq key=value pairs such as 'host=db dbname=scorecard user=scorecard', "
            "without a password (set SCORECARD_LAKE_PASSWORD)",
        ),
        data=_typed("SCORECARD_LAKE_DATA", data, "s3://bucket/prefix/ or a folder"),
        password=_secret("SCORECARD_LAKE_PASSWORD", "lake_password"),
        s3_endpoint=setting("SCORECARD_S3_ENDPOINT"),
        s3_region=setting("SCORECARD_S3_REGION"),
        s3_url_style=_typed("SCORECARD_S3_URL_STYLE", url_style, "vhost or path"),
        s3_use_ssl=_typed("SCORECARD_S3_USE_SSL", _switch, "1 (on) or 0 (off)"),
        s3_key_id=_secret("SCORECARD_S3_KEY_ID", "s3_key_id"),
        s3_secret=_secret("SCORECARD_S3_SECRET", "s3_secret"),
        s3_timeout_seconds=_typed(
            "SCORECARD_S3_TIMEOUT", lambda t: int(_number(t, low=1)), "a number of seconds, 1 or more"
        ),
    )


def check_all() -> None:
    """Read every typed setting once, so a bad one is reported at start, not halfway through."""
    for read in (
        lock_timeout,
        demo_enabled,
        configured_today,
        max_upload_bytes,
        max_rows,
        ingest_memory,
        earliest_period,
        store_kind,
    ):
        read()
    if store_kind() == "ducklake":
        lake_settings()
