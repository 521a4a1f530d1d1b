"""Start, watch and stop the servers a bench measures: ours (``pos serve``) and calibration.

Both are gunicorn masters with 2 sync workers on loopback free ports, each in its own process
session so stopping the master's group stops its workers too. Each runs this checkout's code
(``PYTHONPATH`` is the project root, whatever the shell had) and writes its output to a log
file whose tail is shown when it fails to start. The calibration server is read from
``../shared/bench/calibration.py`` beside the project root, never copied into the project.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT.parent / "shared" / "bench" / "calibration.py"
WORKERS = 2
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running gunicorn master, the port it answers on and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's worker processes (its children)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _read_stat(entry.name)
                if stat and int(stat[1]) == self.process.pid:  # field 4: ppid
                    pids.append(int(entry.name))
        return sorted(pids)

    def worker_cpu(self) -> dict[int, float]:
        """Return each worker's CPU seconds so far (utime + stime from /proc/<pid>/stat)."""
        cpu = {}
        for pid in self.worker_pids():
            stat = _read_stat(str(pid))
            if stat:  # fields 14 and 15, counted after the ``(comm)`` field
                cpu[pid] = (int(stat[11]) + int(stat[12])) / _TICKS
        return cpu

    def stop(self) -> None:
        """Stop the master and its workers: SIGTERM to the group, SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass


def _read_stat(pid: str) -> list[str] | None:
    """Return the fields of /proc/<pid>/stat after ``(comm)``, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def child_env(**extra: str) -> dict[str, str]:
    """Return the environment for a server: this checkout's code first, nothing else added."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _launch(name: str, argv: list[str], env: dict[str, str], port: int, log: Path) -> Server:
    """Start a server process and wait until ``GET /health`` answers (at most 60 s)."""
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=out, cwd=ROOT,
                                   start_new_session=True)
    server = Server(name, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200 and len(server.worker_pids()) == WORKERS:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{name} server did not start on port {port}; its log ends:\n{tail}")


def start_ours(url: str, port: int, log: Path) -> Server:
    """Start ``pos serve`` with 2 workers on a migrated, seeded database."""
    argv = [sys.executable, "-c", "from pos.cli import main; main()", "serve",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]
    env = child_env(POS_DATABASE_URL=url, POS_LOG_LEVEL="WARNING")
    return _launch("ours", argv, env, port, log)


def start_calibration(url: str, port: int, log: Path) -> Server:
    """Create the calibration schema, then serve it with gunicorn, 2 sync workers."""
    if not CALIBRATION.is_file():
        raise RuntimeError(f"no calibration server at {CALIBRATION} (../shared/bench/)")
    env = child_env(CALIB_DB_URL=url)
    subprocess.run([sys.executable, str(CALIBRATION), "init", url], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    argv = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync",
            "-b", f"127.0.0.1:{port}", "--chdir", str(CALIBRATION.parent), "calibration:app"]
    return _launch("calibration", argv, env, port, log)


@contextmanager
def postgres_databases(url: str, names: tuple[str, ...]) -> Iterator[list[str]]:
    """Create fresh databases on the server of ``url``, yield their URLs, drop them after."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    created = [f"bench_{name}_{suffix}" for name in names]
    try:
        with admin.connect() as conn:
            for db in created:
                conn.execute(text(f'CREATE DATABASE "{db}"'))
        base = make_url(url)
        yield [base.set(database=db).render_as_string(hide_password=False) for db in created]
    finally:
        with admin.connect() as conn:
            for db in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def call(port: int, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """Send one request on a new connection; return the status and the decoded JSON."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, None if body is None else json.dumps(body),
                     {"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    return response.status, json.loads(payload) if payload else None


def login(port: int, username: str, password: str) -> str:
    """Sign in over HTTP and return the bearer token."""
    status, body = call(port, "POST", "/api/v1/auth/login",
                        {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"login as {username} answered {status}: {body}")
    return str(body["token"])


def open_shifts(port: int, token: str, till_ids: list[int]) -> dict[int, int]:
    """Open a shift on each till (a till sells only in an open shift); return their ids."""
    shifts = {}
    for till_id in till_ids:
        status, body = call(port, "POST", "/api/v1/shifts",
                            {"till_id": till_id, "opening_float": "1000.00"},
                            {"Authorization": f"Bearer {token}", "X-Till-Id": str(till_id),
                             "Idempotency-Key": str(uuid.uuid4())})
        if status != 201:
            raise RuntimeError(f"opening a shift on till {till_id} answered {status}: {body}")
        shifts[till_id] = int(body["id"])
    return shifts
