"""PostgreSQL and an S3 emulator on this machine, for the DuckLake store's tests and for trying it.

    python -m tests.services up FOLDER     # starts both, prints the SCORECARD_* settings to export
    python -m tests.services down FOLDER   # stops both

PostgreSQL is Debian's (``/usr/lib/postgresql/<version>/bin``), run by its own user on a free
port, listening on 127.0.0.1 only, with a password (scram-sha-256). The S3 emulator is
``moto_server`` (from the ``moto[server]`` package), also on 127.0.0.1. Tests import this module
(``tests/conftest.py``) and ``scripts/cluster.sh`` runs it.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

PG_USER = "scorecard"  # the database role
OS_USER = "scorecard-pg"  # who runs the server when we are root (PostgreSQL refuses to run as root)
BUCKET = "scorecard"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if subprocess.run(["id", OS_USER], capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER], check=True
        )
    return ["runuser", "-u", OS_USER, "--", *command]


@dataclass
class Services:
    folder: str
    pg_data: str
    pg_port: int
    pg_password: str
    s3_port: int
    s3_pid: int

    def catalog(self, dbname: str = "scorecard") -> str:
        return f"host=127.0.0.1 port={self.pg_port} dbname={dbname} user={PG_USER}"

    def settings(self, dbname: str = "scorecard", prefix: str = "lake") -> dict[str, str]:
        """The environment that points the app at these services."""
        return {
            "SCORECARD_STORE": "ducklake",
            "SCORECARD_LAKE_CATALOG": self.catalog(dbname),
            "SCORECARD_LAKE_PASSWORD": self.pg_password,
            "SCORECARD_LAKE_DATA": f"s3://{BUCKET}/{prefix}/",
            "SCORECARD_S3_ENDPOINT": f"127.0.0.1:{self.s3_port}",
            "SCORECARD_S3_URL_STYLE": "path",
            "SCORECARD_S3_USE_SSL": "0",
            "SCORECARD_S3_KEY_ID": "scorecard-test",
            "SCORECARD_S3_SECRET": "scorecard-test-secret",
        }

    def run_sql(self, sql: str, dbname: str = "postgres") -> None:
        """One statement outside a transaction (CREATE DATABASE needs that), in a session of its own."""
        with psycopg.connect(
            host="127.0.0.1",
            port=self.pg_port,
            user=PG_USER,
            password=self.pg_password,
            dbname=dbname,
            autocommit=True,
            connect_timeout=30,
        ) as session:
            session.execute(sql.encode())

    def create_database(self, name: str, template: str | None = None) -> None:
        self.run_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _memory_folder() -> str | None:
    """Linux's shared-memory folder (tmpfs), if there is one we may write."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _start_postgres(in_memory: bool) -> tuple[str, int, str]:
    # A folder of its own under the system's temporary folder: the server's user must reach it
    # (a test's tmp_path sits in a folder only its owner may enter). In memory for the tests:
    # every lake test copies a catalog database, which on this machine's disk took 0.37-0.62 s
    # and in memory 0.04 s (medians of ten copies).
    parent = _memory_folder() if in_memory else None
    base, password = Path(tempfile.mkdtemp(prefix="scorecard-pg-", dir=parent)), secrets.token_urlsafe(16)
    data, pwfile = base / "data", base / "pw"
    pwfile.write_text(password)
    if os.geteuid() == 0:
        _as_server_user(["true"])  # makes the user
        shutil.chown(base, OS_USER)
        shutil.chown(pwfile, OS_USER)
    bin_dir, port = _pg_bin(), free_port()
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    pwfile.unlink()
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{data}'\n"
            "fsync = off\nmax_connections = 200\n"
        )
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    return str(data), port, password


def _start_s3(folder: Path) -> tuple[int, int]:
    port = free_port()
    server = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    log = (folder / "s3.log").open("w")
    process = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    urllib.request.urlopen(
        urllib.request.Request(f"http://127.0.0.1:{port}/{BUCKET}", method="PUT"), timeout=5
    )
    return port, process.pid


def up(folder: Path, in_memory: bool = False) -> Services:
    """Start both; ``in_memory`` keeps PostgreSQL's files in shared memory where there is some
    (tests: nothing of it needs to outlive the session)."""
    folder.mkdir(parents=True, exist_ok=True)
    pg_data, pg_port, password = _start_postgres(in_memory)
    s3_port, s3_pid = _start_s3(folder)
    services = Services(str(folder), pg_data, pg_port, password, s3_port, s3_pid)
    services.create_database("scorecard")
    (folder / "services.json").write_text(json.dumps(asdict(services)))
    return services


def _pg_ctl(services: Services, *action: str) -> None:
    subprocess.run(
        _as_server_user([str(_pg_bin() / "pg_ctl"), "-D", services.pg_data, "-w", "-m", "fast", *action]),
        check=True,
        capture_output=True,
    )


def stop_postgres(services: Services) -> None:
    _pg_ctl(services, "stop")


def start_postgres(services: Services) -> None:
    _pg_ctl(services, "-l", str(Path(services.pg_data) / "server.log"), "start")


def restart_postgres(services: Services) -> None:
    """Stop and start again: every session ends, as when a managed database restarts. (The
    server is started with a log file, so it holds no pipe of ours open.)"""
    stop_postgres(services)
    start_postgres(services)


def down(folder: Path) -> None:
    saved = folder / "services.json"
    if not saved.exists():
        return
    services = Services(**json.loads(saved.read_text()))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(services.s3_pid, signal.SIGTERM)
    data = Path(services.pg_data)
    if (data / "postmaster.pid").exists():
        subprocess.run(
            # immediate: no shutdown checkpoint, the folder is deleted next
            _as_server_user([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-w", "-m", "immediate", "stop"]),
            capture_output=True,
        )
    shutil.rmtree(data.parent, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("up", "down"):
        print(__doc__)
        return 2
    folder = Path(argv[1]).resolve()
    if argv[0] == "down":
        down(folder)
        return 0
    services = up(folder)
    for name, value in services.settings().items():
        print(f"export {name}='{value}'")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
