#!/usr/bin/env bash
# Set up everything the tests need (Debian's chromium included), lint, type-check and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
command -v faketime >/dev/null 2>&1 || need_apt+=(faketime)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)  # the lake's catalog, in tests
if [ "${#need_apt[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "The browser tests need Debian's chromium (and poppler-utils for PDF checks): missing ${need_apt[*]}." >&2
    echo "Install them with your system's package manager (on Debian/Ubuntu: apt-get install chromium poppler-utils)," >&2
    echo "or set CHROMIUM=/path/to/chromium. The browser tests are not skipped silently." >&2
    exit 2
  fi
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
# mypy --strict on every Python folder; pages/ and bench/ are folders of scripts (a board.py in
# each), so each is checked on its own.
.venv/bin/mypy
.venv/bin/mypy --strict pages
.venv/bin/mypy --strict bench
.venv/bin/lint-imports   # the layers and boundaries in pyproject.toml
# Both cores: every test has its own DuckDB file, app server port and browser page.
if [ "$#" -gt 0 ]; then
  exec .venv/bin/python -m pytest -n 2 "$@"
fi
# The suite must pass on any date, so every test runs once and the two halves on two dates:
# 1. the unit and page tests with the machine's clock a year and five weeks ahead (Debian's
#    faketime): they pin "today" through SCORECARD_TODAY, so only a stray read of the wall clock
#    (anything but metrics/clock.py) can make one fail, and a date far from both shows it;
# 2. the browser tests, the lake's tests and those marked real_time on the real clock (app servers,
#    PostgreSQL and the S3 emulator are better off on it, and libfaketime breaks timed waits
#    across threads). Until this stop the unit and page tests ran on both dates; the second
#    run cost six of the suite's thirty minutes.
faketime -f '+400d' .venv/bin/python -m pytest -n 2 -m "not browser and not real_time and not lake" -p no:cacheprovider
.venv/bin/python -m pytest -n 2 -m "browser or real_time or lake"
