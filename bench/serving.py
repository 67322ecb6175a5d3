"""HTTP benchmark of DRIFT's production serving setup, measured side by side in one sitting.

    python bench/serving.py [--database-url URL] [--redis-url URL] [--duration 5]
                         [--connections 64] [--only NAME,...] [--json]

It recreates a PostgreSQL database, loads benchmark data (a brief of 50 tasks, a brief
of 50 submissions with 20 activities each, pending submissions to approve), starts the
`web` process of the Procfile (gunicorn, 2 sync workers) with two ceiling views mounted
(`bench/urls.py`), and runs wrk against each endpoint and its ceilings:
(a) a bare small JSON view, (b) the endpoint's very response bytes served from memory.
Matching is excluded (no Celery worker consumes the queue; `DRIFT_MATCH_WAIT_MS=0`).
Needs wrk (`apt-get install wrk`), PostgreSQL and Redis.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    vs_bare: float | None = None
    vs_same_bytes: float | None = None


@dataclass
class Case:
    name: str
    path: str
    method: str = "GET"
    body_file: Path | None = None
    headers: dict[str, str] | None = None
    paths: list[str] | None = None
    connections: int | None = None
    expect: int = 200
    token: str = "dev"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    unlimited = "1000000000/second"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "DATABASE_POOL": "false",
        "CONN_MAX_AGE": "600",
        "REDIS_URL": args.redis_url,
        "DRIFT_MATCH_WAIT_MS": "0",
        "LOCAL_AUTH_ENABLED": "true",
        "DRIFT_BENCH_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
        **{
            f"RATE_LIMIT_{s}": unlimited
            for s in (
                "SUBMISSIONS_CREATE",
                "SUBMISSIONS_UPDATE",
                "API_READ",
                "API_WRITE",
                "AUTH_LOGIN",
            )
        },
    }


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(env: dict[str, str], approvals: int) -> dict[str, Any]:
    """Migrate and load the benchmark data in a child process; returns ids and tokens."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    code = f"from bench.data import load; import json; print(json.dumps(load({approvals})))"
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_web(env: dict[str, str], port: int) -> subprocess.Popen:
    procfile = (ROOT / "Procfile").read_text()
    web = next(line.split(":", 1)[1] for line in procfile.splitlines() if line.startswith("web:"))
    command = os.path.expandvars(
        web.replace("${WEB_PORT:-8000}", str(port))
        .replace("${WEB_WORKERS:-2}", "2")
        .replace("--access-logfile -", "")
    )
    argv = shlex.split(command)
    argv[0] = str(Path(PYTHON).parent / argv[0])
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def fetch(base: str, case: Case, token: str) -> tuple[int, bytes]:
    data = case.body_file.read_bytes() if case.body_file else None
    path = case.paths[-1] if case.paths else case.path
    request = urllib.request.Request(
        base + path,
        data=data,
        method=case.method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            **(case.headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


LUA = """
wrk.method = {method}
wrk.headers["Authorization"] = {auth}
wrk.headers["Content-Type"] = "application/json"
{headers}
{body}
local paths = {paths}
local started = 0
function setup(thread) thread:set("index", started); started = started + 1 end
local n = 0
function request()
  if paths == nil then return wrk.request() end
  n = n + 1
  local per = math.floor(#paths / 2)
  return wrk.format(nil, paths[(index * per + n - 1) % #paths + 1])
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)


def wrk_script(case: Case, token: str, workdir: Path) -> Path:
    headers = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in (case.headers or {}).items()
    )
    body = (
        (
            f'local f = io.open({lua_string(str(case.body_file))}, "rb"); '
            'wrk.body = f:read("*a"); f:close()'
        )
        if case.body_file
        else ""
    )
    paths = ("{" + ",".join(lua_string(p) for p in case.paths) + "}") if case.paths else "nil"
    script = workdir / f"{case.name}.lua"
    script.write_text(
        LUA.format(
            method=lua_string(case.method),
            auth=lua_string(f"Bearer {token}"),
            headers=headers,
            body=body,
            paths=paths,
        )
    )
    return script


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(base: str, case: Case, token: str, workdir: Path, args: argparse.Namespace) -> Result:
    script = wrk_script(case, token, workdir)
    connections = case.connections or args.connections
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{args.duration}s",
            "--latency",
            "-s",
            str(script),
            base + case.path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), "
        r"timeout (\d+)",
        out,
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(
        name=case.name,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        p50_ms=to_ms(latency["50"]),
        p99_ms=to_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out)[1]),
        errors=errors,
    )


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return round(float(number) * UNITS[unit], 3)


def submission_body(data: dict[str, Any], activities: int, workdir: Path) -> Path:
    payload = {
        "briefId": data["post_brief"],
        "userId": data["dev_id"],
        "userName": "Bench Dev",
        "role": "dev",
        "duration": activities,
        "summary": ["Benchmarked the submit path"],
        "activities": [
            {
                "app": "Cursor",
                "title": f"src/module_{i}.py",
                "summary": "Edited",
                "duration": 1,
                "timestamp": 1706745600000 + i * 60_000,
            }
            for i in range(activities)
        ],
        "snippets": [{"text": "def handler(request): return respond(request)", "context": "code"}],
    }
    path = workdir / f"submission-{activities}.json"
    path.write_text(json.dumps(payload))
    return path


def cases(data: dict[str, Any], workdir: Path, etag: str) -> list[Case]:
    tasks, subs = data["tasks_brief"], data["submissions_brief"]
    return [
        Case("brief_detail_50_tasks", f"/api/briefs/{tasks}"),
        Case("brief_submissions_50x20", f"/api/briefs/{subs}/submissions"),
        Case("brief_tasks", f"/api/briefs/{tasks}/tasks"),
        Case(
            "brief_detail_304", f"/api/briefs/{tasks}", headers={"If-None-Match": etag}, expect=304
        ),
        *[
            Case(
                f"post_submission_{n}",
                "/api/submissions",
                method="POST",
                body_file=submission_body(data, n, workdir),
                connections=2,
                expect=201,
            )
            for n in (20, 200, 1000)
        ],
        Case(
            "patch_approve",
            f"/api/submissions/{data['approvals'][0]}",
            method="PATCH",
            body_file=write(workdir / "approve.json", '{"status": "approved"}'),
            paths=[f"/api/submissions/{pk}" for pk in data["approvals"]],
            token="pm",
        ),
    ]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


HEADER = (
    f"{'endpoint':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
    f"{'vs (a)':>7} {'vs (b)':>7}"
)


def row(r: Result) -> str:
    ratios = (
        f"{r.vs_bare:7.3f} {r.vs_same_bytes:7.3f}" if r.vs_bare is not None else f"{'':7} {'':7}"
    )
    return f"{r.name:34} {r.rps:9.1f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.errors:7d} {ratios}"


def measure(args: argparse.Namespace) -> list[Result]:
    workdir = Path(tempfile.mkdtemp(prefix="drift-bench-"))
    env = server_env(args, workdir)
    recreate_database(args.database_url)
    data = seed(env, approvals=args.approvals)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_web(env, port)
    try:
        tokens = {"dev": data["dev_token"], "pm": data["pm_token"]}
        etag = urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/api/briefs/{data['tasks_brief']}",
                headers={"Authorization": f"Bearer {tokens['dev']}"},
            )
        ).headers["ETag"]
        bare = run_wrk(base, Case("bare_json", "/bench/bare"), "", workdir, args)
        results = [bare]
        print(HEADER, flush=True)
        print(row(bare), flush=True)
        for case in cases(data, workdir, etag):
            if args.only and case.name not in args.only:
                continue
            token = tokens[case.token]
            status, body = fetch(base, case, token)
            if status != case.expect:
                raise SystemExit(
                    f"{case.name}: expected {case.expect}, got {status}: {body[:300]!r}"
                )
            (workdir / f"{case.name}.json").write_bytes(body)
            same = run_wrk(
                base,
                Case(
                    f"{case.name}_same_bytes",
                    f"/bench/echo/{case.name}",
                    connections=case.connections,
                ),
                "",
                workdir,
                args,
            )
            result = run_wrk(base, case, token, workdir, args)
            result.vs_bare = round(result.rps / bare.rps, 3)
            result.vs_same_bytes = round(result.rps / same.rps, 3)
            results += [same, result]
            print(row(same), row(result), sep="\n", flush=True)
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def report(results: list[Result], as_json: bool) -> None:
    print("(a) bare small JSON view; (b) the same response bytes served from memory")
    if as_json:
        print(json.dumps({"results": [asdict(r) for r in results]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/drift_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--duration", type=int, default=5, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--approvals",
        type=int,
        default=20000,
        help="Pending submissions for the PATCH approve run.",
    )
    parser.add_argument(
        "--only",
        type=lambda names: set(names.split(",")),
        default=None,
        help="Comma-separated case names to run (default: all), e.g. brief_detail_304.",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/serving.py needs wrk: apt-get install wrk")
    report(measure(args), args.json)


if __name__ == "__main__":
    main()
