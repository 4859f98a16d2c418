"""Load on three replicas: browser sessions reading the board while command-line writers upload.

For each store (the embedded file, then DuckLake on PostgreSQL and the S3 emulator), on this
machine: seed the demo, start three app replicas (Streamlit, 127.0.0.1), then at once
  --sessions browser sessions (headless chromium, spread over the replicas) load the board again
             and again until every tile is drawn, and
  --writers  command-line writers each ingest --files five-row files.
Prints page time (navigation until every tile is drawn) p50/p95 per store, how many pages showed
an error, where the machine's CPU went (browsers, replicas, writers, catalog, S3), and checks every
upload was stored exactly once with exact counts.

    .venv/bin/python bench/cluster_load.py [--sessions 20] [--writers 4] [--files 50]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import runpy
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import lake, store
from metrics.seed import first_start as seed
from tests import services

TODAY = "2026-11-23"
ERRORS = ("Something went wrong", "Store unavailable", "Database busy", "Traceback")
WRITER = runpy.run_path(str(ROOT / "bench" / "lake.py"))["WRITER"]  # the writer bench/lake.py times


GROUPS = (
    ("browsers", ("chrom",)),
    ("replicas", ("streamlit",)),
    ("writers", ("ingest.ingest",)),
    ("catalog", ("postgres",)),
    ("S3", ("moto",)),
    ("load driver (playwright)", ("playwright", "cluster_load")),
)


class CpuShares:
    """Where the CPU went while it runs: every process's CPU ticks, sampled each second, summed
    by what the process is (its command line)."""

    def __init__(self) -> None:
        self.first: dict[int, int] = {}
        self.last: dict[int, tuple[str, int]] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._began = time.perf_counter()
        self._sample_once(baseline=True)
        self._thread.start()

    def _sample_once(self, baseline: bool = False) -> None:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
            pid = int(proc.name)
            self.first.setdefault(pid, ticks if baseline else 0)  # a process started since: all of it
            self.last[pid] = (command, ticks)

    def _sample(self) -> None:
        while not self._done.wait(1.0):
            self._sample_once()

    def stop(self) -> str:
        self._done.set()
        self._thread.join()
        seconds = time.perf_counter() - self._began
        hz = os.sysconf("SC_CLK_TCK")
        used: dict[str, float] = {}
        for pid, (command, ticks) in self.last.items():
            group = next((g for g, marks in GROUPS if any(m in command for m in marks)), "other")
            used[group] = used.get(group, 0.0) + (ticks - self.first.get(pid, 0)) / hz
        cores = os.cpu_count() or 1
        busy = sum(used.values())
        parts = ", ".join(f"{g} {100 * v / busy:.0f}%" for g, v in sorted(used.items(), key=lambda i: -i[1]))
        return (
            f"CPU busy {100 * busy / (seconds * cores):.0f}% of {cores} cores; of it: {parts}; "
            f"'other' is mostly: {self._others(hz)}"
        )

    def _others(self, hz: int) -> str:
        found: dict[str, float] = {}
        for pid, (command, ticks) in self.last.items():
            if not any(m in command for _, marks in GROUPS for m in marks):
                name = command.split(" ", 1)[0].rsplit("/", 1)[-1] or "(no command line)"
                found[name] = found.get(name, 0.0) + (ticks - self.first.get(pid, 0)) / hz
        return ", ".join(f"{n} {v:.0f} s" for n, v in sorted(found.items(), key=lambda i: -i[1])[:3])


def start_replicas(
    env: dict[str, str], folder: Path, count: int
) -> list[tuple[subprocess.Popen[bytes], int]]:
    replicas = []
    for index in range(count):
        port = services.free_port()
        log = (folder / f"replica-{index}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        replicas.append((process, port))
    for _, port in replicas:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
    return replicas


async def session(browser: Any, url: str, until: float, times: list[float], errors: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            await page.goto(url, timeout=120_000)
            await page.wait_for_function(  # polled 4 times a second, not every frame: the
                # harness should not be what loads the machine
                "document.querySelectorAll('.sc-card').length >= 20",
                timeout=120_000,
                polling=250,
            )
            times.append(time.perf_counter() - started)
        except Exception as exc:  # a page that never drew counts as an error
            errors.append(f"{url}: {type(exc).__name__}")
        text = await page.inner_text("body")
        errors.extend(f"{url}: {e}" for e in ERRORS if e in text)
    await context.close()


async def browse(ports: list[int], sessions: int, seconds: float) -> tuple[list[float], list[str]]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                session(browser, f"http://127.0.0.1:{ports[i % len(ports)]}/", until, times, errors)
                for i in range(sessions)
            )
        )
        await browser.close()
    return times, errors


@dataclass
class Outcome:
    name: str
    times: list[float]
    errors: list[str]
    writers_ok: int
    writing: float
    uploads: tuple[int, ...] | None
    rows: tuple[int, ...] | None
    exact: bool
    cpu: str


def run_store(name: str, env: dict[str, str], folder: Path, args: argparse.Namespace) -> Outcome:
    os.environ.clear()
    os.environ.update(env)
    seed.initialise(demo_data=True)
    lake.forget()
    replicas = start_replicas(env, folder, args.replicas)
    try:
        ports = [port for _, port in replicas]
        asyncio.run(browse(ports, min(args.replicas, args.sessions), 20))  # warm each replica once
        shares = CpuShares()
        started = time.perf_counter()
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(w), str(args.files), "load"], cwd=ROOT, env=env
            )
            for w in range(args.writers)
        ]
        loop = asyncio.new_event_loop()
        browsing = loop.run_in_executor(None, lambda: asyncio.run(browse(ports, args.sessions, args.seconds)))
        codes = [w.wait() for w in writers]
        writing = time.perf_counter() - started
        times, errors = loop.run_until_complete(browsing)
        loop.close()
        cpu = shares.stop()
    finally:
        for process, _ in replicas:
            process.terminate()
            process.wait()
    with store.connect(read_only=True) as con:
        uploads = con.execute(
            "SELECT count(*), count(DISTINCT upload_id), count(DISTINCT file_name) FROM uploads "
            "WHERE file_name LIKE 'load-%'"
        ).fetchone()
        rows = con.execute(
            "SELECT count(*) FROM observations WHERE upload_id IN "
            "(SELECT upload_id FROM uploads WHERE file_name LIKE 'load-%')"
        ).fetchone()
    lake.forget()
    expected = args.writers * args.files
    return Outcome(
        name,
        times,
        errors,
        codes.count(0),
        writing,
        uploads,
        rows,
        uploads == (expected, expected, expected) and rows == (expected * 5,),
        cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120, help="how long the sessions keep loading")
    args = parser.parse_args()
    base = {**os.environ, "SCORECARD_TODAY": TODAY, "SCORECARD_LOCK_TIMEOUT": "120"}
    found = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        found.append(run_store("file", {**base, "SCORECARD_DB": str(folder / "load.duckdb")}, folder, args))
        running = services.up(folder / "services")
        try:
            lake_env = {**base, **running.settings("scorecard", "load")}
            found.append(run_store("ducklake", lake_env, folder, args))
        finally:
            services.down(folder / "services")
    print(
        f"{dt.datetime.now():%Y-%m-%d %H:%M} · {args.replicas} replicas, {args.sessions} browser sessions, "
        f"{args.writers} writers x {args.files} five-row files"
    )
    for result in found:
        times = sorted(result.times)
        p95 = times[int(0.95 * (len(times) - 1))] if times else float("nan")
        p50 = statistics.median(times) if times else float("nan")
        print(
            f"{result.name:>9}: pages {len(times)}, p50 {p50:.2f} s, p95 {p95:.2f} s; "
            f"pages with an error {len(result.errors)}; writers ok {result.writers_ok}/{args.writers} "
            f"in {result.writing:.0f} s; uploads (rows, ids, names) {result.uploads}, "
            f"values {result.rows}: {'exact' if result.exact else 'NOT EXACT'}"
        )
        print(f"           {result.cpu}")
        for error in sorted(set(result.errors))[:5]:
            print(f"           {error}")


if __name__ == "__main__":
    main()
