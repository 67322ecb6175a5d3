"""Real processes on loopback for the reliability tests: a throwaway redis-server, a
throwaway PostgreSQL cluster, DRIFT under daphne and Celery workers, each started with
its own environment and stopped (or killed) by the test that owns it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[2]

# Creates a PM and a developer of a fresh org, a brief with tasks; prints ids and tokens.
SEED = """
import json, uuid
from accounts.services import user_token
from tests.factories import make_brief, make_user
org = "org_" + uuid.uuid4().hex[:8]
pm = make_user("user_pm_" + org, role="pm", org=org, name="Alice PM")
dev = make_user("user_dev_" + org, role="dev", org=org, name="Bob Dev")
brief = make_brief(pm, tasks=3)
print(json.dumps({"brief": str(brief.pk), "pm": pm.pk, "dev": dev.pk,
                  "pm_token": user_token(user=pm)[0], "dev_token": user_token(user=dev)[0]}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class RedisServer:
    """A redis-server of its own on a free port: stop() and start() inject the outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not port_open(self.port), timeout=10, what="redis-server to stop")


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb) on a free port, run as the `postgres`
    user when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="drift-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -h 127.0.0.1",
            "start",
        )

    def restart(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-m",
            "fast",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -h 127.0.0.1",
            "restart",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def drift_env(*, database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="drift.settings", **extra)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout


def prepare_database(env: dict[str, str]) -> dict[str, str]:
    """Migrate the database `env` names and seed an org; returns ids and tokens."""
    manage(env, "migrate", "--noinput")
    return json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])


def sqlite_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='drift-db-')}/db.sqlite3"


class Process:
    """A child process whose output goes to a log file; kill() sends SIGKILL."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        descriptor, name = tempfile.mkstemp(prefix="drift-proc-", suffix=".log")
        self.log = Path(name)
        with os.fdopen(descriptor, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class DriftServer(Process):
    """DRIFT under daphne, as `make run` serves it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "drift.asgi:application",
            ],
            env,
        )
        wait_until(self._up, timeout=30, what="daphne")

    def _up(self) -> bool:
        assert self.process.poll() is None, f"daphne exited:\n{self.output()}"
        return port_open(self.port)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str = "",
        timeout: float = 30,
        **headers: str,
    ) -> tuple[int, dict[str, str], Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, head, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, head, raw = error.code, dict(error.headers), error.read()
        return status, head, json.loads(raw) if raw else None


class Worker(Process):
    """A Celery worker consuming the matching queue (`make worker`); `module` runs
    another entry point that takes the same worker arguments."""

    def __init__(self, env: dict[str, str], *, module: str = "") -> None:
        entry = ["-m", module] if module else ["-m", "celery", "-A", "drift", "worker"]
        name = f"w{uuid.uuid4().hex[:6]}@%h"
        super().__init__(
            [
                sys.executable,
                *entry,
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "-n",
                name,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
        )


def create_postgres_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database beside the one `url` names; returns its URL and a dropper."""
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"drift_rel_{uuid.uuid4().hex[:10]}"
    admin = f"{base}/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop
