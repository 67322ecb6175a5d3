"""HTTP benchmark of DRIFT's production serving setup, measured side by side in one sitting.

    python bench/serving.py [--database-url URL] [--redis-url URL] [--duration 6] [--slices 3]
                         [--connections 64] [--runs 1] [--only NAME,...] [--direct]
                         [--json] [--markdown]

It recreates a PostgreSQL database, loads benchmark data (a brief of 50 tasks, a brief
of 50 submissions with 20 activities each, pending submissions to approve), starts the
`web` process of the Procfile (gunicorn, 2 sync workers) with two ceiling views mounted
(`bench/urls.py`) behind nginx configured from deploy/nginx.conf (`--direct`: no nginx),
and runs wrk against each endpoint and its two ceilings, in alternating slices, all
through the same front: (a) a bare small JSON view, (b) the endpoint's very response
bytes served from memory.
`--runs N` repeats the whole set on the same processes and reports each process's peak
RSS per run. Matching is excluded (no Celery worker consumes the queue, which is emptied
afterwards; `DRIFT_MATCH_WAIT_MS=0`). Needs wrk and nginx (apt-get install wrk nginx),
PostgreSQL and Redis.
"""

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import (
    PYTHON,
    ROOT,
    RssSampler,
    drop_match_queue,
    free_port,
    procfile_argv,
    recreate_database,
    rss_markdown,
    rss_report,
    start,
    start_nginx,
    stop,
)


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int = 0
    timeouts: int = 0
    bare_rps: float | None = None
    vs_bare: float | None = None
    same_bytes_rps: float | None = None
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


def server_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    unlimited = "1000000000/second"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
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
    argv = procfile_argv("web", WEB_PORT=str(port), WEB_WORKERS="2")
    i = argv.index("--access-logfile")
    return start(argv[:i] + argv[i + 2 :], env, port, "gunicorn")


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
        with urllib.request.urlopen(request, timeout=60) as response:
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


def settle(base: str) -> None:
    """Wait until the server has worked off what the last run left queued."""
    urllib.request.urlopen(f"{base}/bench/bare", timeout=300).read()


def run_wrk(
    base: str, case: Case, token: str, workdir: Path, args: argparse.Namespace, seconds: int
) -> Result:
    settle(base)
    script = wrk_script(case, token, workdir)
    connections = case.connections or args.connections
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={args.timeout}s",
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
    failed = int(non_2xx.group(1)) if non_2xx else 0
    sockets = [int(n) for n in socket_errors.groups()] if socket_errors else [0, 0, 0, 0]
    return Result(
        name=case.name,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        p50_ms=to_ms(latency["50"]),
        p99_ms=to_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out)[1]),
        errors=failed + sum(sockets),
        non_2xx=failed,
        timeouts=sockets[-1],
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


def markdown_row(r: Result) -> str:
    return (
        f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} "
        f"| {r.bare_rps:,.0f} | {r.vs_bare:.2f} | {r.same_bytes_rps:,.0f} | {r.vs_same_bytes:.2f} |"
    )


def markdown(results: list[Result]) -> str:
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | errors | (a) req/s | vs (a) | (b) req/s | vs (b) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    lines += [markdown_row(r) for r in results if r.vs_bare is not None]
    return "\n".join(lines)


def measure_side_by_side(
    base: str, runs: list[tuple[Case, str]], workdir: Path, args: argparse.Namespace
) -> list[Result]:
    """Each of `runs` (case, token) for `--duration` seconds in all, in `--slices`
    alternating slices: the machine's drift over the sitting (this one wanders) falls on
    the endpoint and its ceilings alike, so their ratios hold still."""
    seconds = math.ceil(args.duration / args.slices)
    sliced: dict[str, list[Result]] = {case.name: [] for case, _ in runs}
    for _ in range(args.slices):
        for case, token in runs:
            sliced[case.name].append(run_wrk(base, case, token, workdir, args, seconds))
    return [combined(sliced[case.name]) for case, _ in runs]


def combined(slices: list[Result]) -> Result:
    """One result of equal slices: mean throughput, median p50, worst p99, all counts."""
    return Result(
        name=slices[0].name,
        rps=round(statistics.fmean(r.rps for r in slices), 1),
        p50_ms=statistics.median(r.p50_ms for r in slices),
        p99_ms=max(r.p99_ms for r in slices),
        requests=sum(r.requests for r in slices),
        errors=sum(r.errors for r in slices),
        non_2xx=sum(r.non_2xx for r in slices),
        timeouts=sum(r.timeouts for r in slices),
    )


def run_cases(
    base: str, data: dict[str, Any], tokens: dict[str, str], workdir: Path, args: argparse.Namespace
) -> list[Result]:
    etag = urllib.request.urlopen(
        urllib.request.Request(
            f"{base}/api/briefs/{data['tasks_brief']}",
            headers={"Authorization": f"Bearer {tokens['dev']}"},
        )
    ).headers["ETag"]
    results = []
    print(HEADER, flush=True)
    for case in cases(data, workdir, etag):
        if args.only and case.name not in args.only:
            continue
        token = tokens[case.token]
        settle(base)
        status, body = fetch(base, case, token)
        if status != case.expect:
            raise SystemExit(f"{case.name}: expected {case.expect}, got {status}: {body[:300]!r}")
        (workdir / f"{case.name}.json").write_bytes(body)
        bare, same, result = measure_side_by_side(
            base,
            [
                (Case(f"{case.name}_bare", "/bench/bare", connections=case.connections), ""),
                (
                    Case(
                        f"{case.name}_same_bytes",
                        f"/bench/echo/{case.name}",
                        connections=case.connections,
                    ),
                    "",
                ),
                (case, token),
            ],
            workdir,
            args,
        )
        result.bare_rps, result.same_bytes_rps = bare.rps, same.rps
        result.vs_bare = round(result.rps / bare.rps, 3)
        result.vs_same_bytes = round(result.rps / same.rps, 3)
        results += [bare, same, result]
        print(row(bare), row(same), row(result), sep="\n", flush=True)
    return results


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each run's results and each server process's peak RSS (MiB) during it."""
    workdir = Path(tempfile.mkdtemp(prefix="drift-bench-"))
    env = server_env(args, workdir)
    recreate_database(args.database_url)
    data = seed(env, approvals=args.approvals * args.runs)
    tokens = {"dev": data["dev_token"], "pm": data["pm_token"]}
    web_port = free_port()
    servers = {"gunicorn": start_web(env, web_port)}
    try:
        port = web_port
        if not args.direct:
            servers["nginx"], port = start_nginx(workdir, web_port=web_port, ws_port=free_port())
        runs = []
        with RssSampler(servers) as rss:
            for i in range(args.runs):
                print(
                    f"run {i + 1} of {args.runs}, through {'gunicorn' if args.direct else 'nginx'}"
                )
                approvals = data["approvals"][i * args.approvals : (i + 1) * args.approvals]
                results = run_cases(
                    f"http://127.0.0.1:{port}",
                    {**data, "approvals": approvals},
                    tokens,
                    workdir,
                    args,
                )
                runs.append({"results": [asdict(r) for r in results], "rss_mib": rss.take()})
        return runs
    finally:
        for process in reversed(servers.values()):
            stop(process)
        drop_match_queue(args.redis_url)
        shutil.rmtree(workdir, ignore_errors=True)


def report(runs: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print("(a) bare small JSON view; (b) the same response bytes served from memory")
    print(*rss_report([run["rss_mib"] for run in runs]), sep="\n")
    if args.markdown:
        print(markdown([Result(**r) for r in runs[-1]["results"]]))
        print(rss_markdown([run["rss_mib"] for run in runs]))
    if args.json:
        print(
            json.dumps(
                {
                    "via": "direct" if args.direct else "nginx",
                    "results": runs[-1]["results"],
                    "runs": runs,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/drift_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--duration", type=int, default=6, help="Seconds of wrk per endpoint and per ceiling."
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=3,
        help="Alternate the endpoint and its ceilings in this many slices of the duration.",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--timeout",
        type=int,
        default=10,
        help="Seconds before wrk counts a request as an error (slower ones count in p99).",
    )
    parser.add_argument(
        "--approvals",
        type=int,
        default=20000,
        help="Pending submissions for the PATCH approve run (per run).",
    )
    parser.add_argument(
        "--only",
        type=lambda names: set(names.split(",")),
        default=None,
        help="Comma-separated case names to run (default: all), e.g. brief_detail_304.",
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="Repeat on the same processes (RSS per run)."
    )
    parser.add_argument("--direct", action="store_true", help="wrk to gunicorn, without nginx.")
    parser.add_argument("--json", action="store_true", help="One JSON object on the last line.")
    parser.add_argument(
        "--markdown", action="store_true", help="The last run's table in Markdown (README)."
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/serving.py needs wrk: apt-get install wrk")
    report(measure(args), args)


if __name__ == "__main__":
    main()
