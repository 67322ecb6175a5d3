"""The production processes the benchmarks run: Procfile lines, nginx from deploy/nginx.conf,
and a sampler of their resident memory (/proc)."""

import getpass
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_match_queue(redis_url: str) -> None:
    """POSTs queued matching tasks no worker consumes: remove them from the bench's Redis."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery")


def procfile_argv(name: str, **values: str) -> list[str]:
    """The Procfile's `name:` command as argv, its `${VAR:-default}` set from `values`."""
    line = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith(f"{name}:")
    )
    command = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: values.get(m[1], m[2]), line)
    argv = shlex.split(command)
    argv[0] = str(Path(PYTHON).parent / argv[0])
    return argv


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{what} did not start")


def start(argv: list[str], env: dict[str, str], port: int, what: str) -> subprocess.Popen:
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    wait_for_port(port, process, what)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NGINX_MAIN = """daemon off;
{user}
worker_processes auto;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/drift.conf;
}}
"""


def start_nginx(workdir: Path, *, web_port: int, ws_port: int) -> tuple[subprocess.Popen, int]:
    """nginx in the foreground with deploy/nginx.conf, its ports and paths in `workdir`."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("The benchmark runs through nginx: apt-get install nginx (or --direct)")
    port = free_port()
    conf_dir = workdir / "nginx"
    conf_dir.mkdir()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = (
        site.replace("127.0.0.1:8000", f"127.0.0.1:{web_port}")
        .replace("127.0.0.1:8001", f"127.0.0.1:{ws_port}")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
    )
    (conf_dir / "drift.conf").write_text(site)
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    (conf_dir / "nginx.conf").write_text(NGINX_MAIN.format(user=user, dir=conf_dir))
    process = subprocess.Popen(
        [nginx, "-p", str(conf_dir), "-e", str(conf_dir / "error.log"), "-c", "nginx.conf"],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process, "nginx")
    return process, port


class RssSampler:
    """Peak resident memory of some processes and their children, sampled from /proc.

    `take()` returns the peaks since the last call, so consecutive runs on the same
    processes can be compared."""

    def __init__(self, roots: dict[str, subprocess.Popen], interval: float = 0.1) -> None:
        self.roots = roots
        self.interval = interval
        self.peaks: dict[str, int] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "RssSampler":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def take(self) -> dict[str, float]:
        """Peak RSS in MiB per process since the last call."""
        self.sample()
        with self.lock:
            peaks, self.peaks = self.peaks, {}
        return {name: round(kib / 1024, 1) for name, kib in sorted(peaks.items())}

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for role, process in self.roots.items():
            self._record(role, process.pid)
            for n, child in enumerate(sorted(children(process.pid)), start=1):
                self._record(f"{role} worker {n}", child)

    def _record(self, name: str, pid: int) -> None:
        rss = rss_kib(pid)
        if rss:
            with self.lock:
                self.peaks[name] = max(self.peaks.get(name, 0), rss)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match[1]) if match else 0


def rss_report(runs: list[dict[str, float]]) -> list[str]:
    """Lines of a table: each process's peak RSS (MiB) per run, and run N minus run 1."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    header = f"{'process (peak RSS, MiB)':34} " + " ".join(
        f"{'run ' + str(i + 1):>8}" for i in range(len(runs))
    )
    lines = [header + f" {'growth':>8}"]
    for name in names:
        values = [run.get(name) for run in runs]
        cells = " ".join(f"{v:8.1f}" if v is not None else f"{'-':>8}" for v in values)
        growth = (
            f"{values[-1] - values[0]:+8.1f}" if None not in (values[0], values[-1]) else f"{'':8}"
        )
        lines.append(f"{name:34} {cells} {growth}")
    return lines


def rss_markdown(runs: list[dict[str, float]], prefix: str = "") -> str:
    """The same as a Markdown table (README "Performance")."""
    lines = [
        "| process | " + " | ".join(f"run {i + 1}" for i in range(len(runs))) + " |",
        "|---|" + "--:|" * len(runs),
    ]
    names = list(dict.fromkeys(name for run in runs for name in run))
    lines += [
        f"| {prefix}{name} | " + " | ".join(f"{run.get(name, 0):.1f}" for run in runs) + " |"
        for name in names
    ]
    return "\n".join(lines)
