"""WebSocket fan-out benchmark: from a submission's commit to the last of 1000 clients.

    python bench/fanout.py [--database-url URL] [--redis-url URL] [--layer both|pubsub|core]
                        [--clients 1000] [--reps 10] [--runs 3] [--direct] [--json] [--markdown]

For each channel layer (`DRIFT_CHANNEL_LAYER`) it recreates a PostgreSQL database, starts
the `ws` process of the Procfile (daphne) behind nginx configured from deploy/nginx.conf
(`--direct`: no nginx), and connects `--clients` WebSocket clients authenticated as a
developer of the org, who get the org's events. Then, alternately, in the same sitting:
(i) a submission is created through `submissions.services.submission_create`, and the
time from its commit to the last client receiving `submission:new` is measured;
(ii) a bare `group_send` of a message of the same size to the same clients, timed from the
call to the last client receiving it. It prints p50 of each, their ratio, and the peak
RSS of daphne and nginx per run (each run connects its clients anew, then disconnects).
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers

LAYERS = ("pubsub", "core")
NEW = "submission:new"


class Fleet:
    """The WebSocket clients, and when the last of them received the current round's frame."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sockets: list[Any] = []
        self.listeners: list[asyncio.Task[None]] = []
        self.received = 0
        self.last = 0.0
        self.frame = ""
        self.all_in = asyncio.Event()

    async def connect(self, url: str, token: str, concurrency: int) -> None:
        import websockets

        gate = asyncio.Semaphore(concurrency)

        async def one() -> Any:
            async with gate:
                ws = await websockets.connect(
                    url, additional_headers={"Authorization": f"Bearer {token}"}, ping_interval=None
                )
                hello = json.loads(await ws.recv())
                if hello.get("type") != "connection":
                    raise SystemExit(f"/ws refused the client: {hello}")
                return ws

        self.sockets = await asyncio.gather(*(one() for _ in range(self.size)))
        self.listeners = [asyncio.create_task(self._listen(ws)) for ws in self.sockets]

    async def _listen(self, ws: Any) -> None:
        async for frame in ws:
            if NEW in frame:
                self.received += 1
                self.last = time.perf_counter()
                self.frame = frame
                if self.received == self.size:
                    self.all_in.set()

    async def round(self, trigger: Callable[[], Awaitable[float]]) -> float:
        """Milliseconds from the instant `trigger` reports (a commit, a call) to the last one in."""
        self.received = 0
        self.all_in.clear()
        started = await trigger()
        await asyncio.wait_for(self.all_in.wait(), timeout=60)
        return round((self.last - started) * 1000, 2)

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets))
        for listener in self.listeners:
            listener.cancel()


class Publisher:
    """Publishes as DRIFT's other processes do, from a thread of its own: the service in a
    transaction, or a bare `group_send` on an event loop kept running in that thread."""

    def __init__(self, data: dict[str, Any], workdir: Path) -> None:
        from accounts.models import User
        from bench.serving import submission_body

        self.data = data
        self.user = User.objects.get(pk=data["dev_id"])
        self.body = json.loads(submission_body(data, 20, workdir).read_text())
        self.executor = ThreadPoolExecutor(1)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    async def submission(self) -> float:
        """Create a submission; returns when it committed (`time.perf_counter`)."""
        return await asyncio.wrap_future(self.executor.submit(self._create))

    def _create(self) -> float:
        from django.db import transaction

        from submissions.services import submission_create

        committed: list[float] = []
        body = self.body
        with transaction.atomic():
            # Registered first, so it runs first of the commit's callbacks (the event's send).
            transaction.on_commit(lambda: committed.append(time.perf_counter()))
            submission_create(
                user=self.user,
                org_id=self.user.organization_id,
                brief_id=body["briefId"],
                user_id=body["userId"],
                user_name=body["userName"],
                role=body["role"],
                summary=body["summary"],
                duration=body["duration"],
                activities=body["activities"],
                snippets=body["snippets"],
            )
        return committed[0]

    async def group_send(self, frame: str) -> float:
        """A bare `group_send` of `frame` to the org's clients; returns when it was called."""
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(self._group_send(frame), self.loop)
        )

    async def _group_send(self, frame: str) -> float:
        from channels.layers import get_channel_layer

        from realtime import events

        # The consumer's relay handler: forwards `frame` as is, like an event.
        message = {
            "type": events.PRESENCE_HANDLER,
            "sender": None,
            "briefId": None,
            "frame": json.loads(frame),
        }
        started = time.perf_counter()
        await get_channel_layer().group_send(events.org_group(self.user.organization_id), message)
        return started

    def close(self) -> None:
        self.executor.shutdown()
        self.loop.call_soon_threadsafe(self.loop.stop)


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def summary(commit_ms: list[float], bare_ms: list[float]) -> dict[str, Any]:
    return {
        "commit_to_last_ms": commit_ms,
        "bare_group_send_ms": bare_ms,
        "p50_commit_ms": p50(commit_ms),
        "p50_bare_ms": p50(bare_ms),
        "ratio": round(p50(commit_ms) / p50(bare_ms), 3),
    }


async def rounds(fleet: Fleet, publisher: Publisher, reps: int) -> dict[str, Any]:
    """One warm-up of each, then `reps` of each, alternating which goes first."""
    await fleet.round(publisher.submission)
    await fleet.round(lambda: publisher.group_send(fleet.frame))
    commit_ms: list[float] = []
    bare_ms: list[float] = []
    for rep in range(reps):
        pair = [
            (commit_ms, publisher.submission),
            (bare_ms, lambda: publisher.group_send(fleet.frame)),
        ]
        for times, trigger in pair if rep % 2 == 0 else reversed(pair):
            times.append(await fleet.round(trigger))
            await asyncio.sleep(0.2)
    return summary(commit_ms, bare_ms)


async def measure(
    url: str, publisher: Publisher, rss: servers.RssSampler, args: argparse.Namespace
) -> list[dict[str, Any]]:
    runs = []
    for run in range(args.runs):
        fleet = Fleet(args.clients)
        connecting = time.perf_counter()
        await fleet.connect(url, publisher.data["dev_token"], args.connect_concurrency)
        connected_s = round(time.perf_counter() - connecting, 1)
        result = await rounds(fleet, publisher, args.reps)
        await fleet.close()
        result.update(connect_s=connected_s, rss_mib=rss.take())
        print(
            f"run {run + 1}: {args.clients} clients connected in {connected_s} s; "
            f"p50 commit->last {result['p50_commit_ms']} ms, bare group_send "
            f"{result['p50_bare_ms']} ms, ratio {result['ratio']}",
            flush=True,
        )
        runs.append(result)
    return runs


def setup_django(args: argparse.Namespace, layer: str) -> dict[str, Any]:
    """This process as one of DRIFT's (settings from the environment); loads the data."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="drift.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DRIFT_CHANNEL_LAYER=layer,
        LOCAL_AUTH_ENABLED="true",
        LOG_LEVEL="WARNING",
    )
    servers.recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.data import load

    call_command("migrate", "--noinput", verbosity=0)
    return load(0)


def run_layer(args: argparse.Namespace, layer: str) -> dict[str, Any]:
    data = setup_django(args, layer)
    workdir = Path(tempfile.mkdtemp(prefix="drift-fanout-"))
    ws_port = servers.free_port()
    processes = {
        "daphne": servers.start(
            servers.procfile_argv("ws", WS_PORT=str(ws_port)), dict(os.environ), ws_port, "daphne"
        )
    }
    publisher = Publisher(data, workdir)
    try:
        port = ws_port
        if not args.direct:
            processes["nginx"], port = servers.start_nginx(
                workdir, web_port=servers.free_port(), ws_port=ws_port
            )
        print(
            f"layer {layer}, {args.clients} clients through {'daphne' if args.direct else 'nginx'}"
        )
        with servers.RssSampler(processes) as rss:
            runs = asyncio.run(measure(f"ws://127.0.0.1:{port}/ws", publisher, rss, args))
    finally:
        publisher.close()
        for process in reversed(processes.values()):
            servers.stop(process)
        servers.drop_match_queue(args.redis_url)
        shutil.rmtree(workdir, ignore_errors=True)
    print(*servers.rss_report([run["rss_mib"] for run in runs]), sep="\n")
    everything = summary(
        [ms for run in runs for ms in run["commit_to_last_ms"]],
        [ms for run in runs for ms in run["bare_group_send_ms"]],
    )
    return {"layer": layer, "clients": args.clients, **everything, "runs": runs}


def run_child(args: argparse.Namespace, layer: str) -> dict[str, Any]:
    """One layer in a process of its own: Django's settings are read once per process."""
    argv = [servers.PYTHON, __file__, *sys.argv[1:], "--layer", layer, "--json"]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    last = ""
    for line in child.stdout:
        if line.startswith("{"):
            last = line
        else:
            print(line, end="", flush=True)
    if child.wait() != 0:
        raise SystemExit(f"the {layer} run failed")
    return json.loads(last)


def markdown(layers: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| channel layer | commit to last client, p50 ms | bare group_send, p50 ms | ratio |",
        "|---|--:|--:|--:|",
    ]
    lines += [
        f"| {name} | {r['p50_commit_ms']:.0f} | {r['p50_bare_ms']:.0f} | {r['ratio']:.2f} |"
        for name, r in layers.items()
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/drift_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--layer", choices=("both", *LAYERS), default="both")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=10, help="Measurements of each, per run.")
    parser.add_argument("--runs", type=int, default=3, help="Connect, measure, disconnect.")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--direct", action="store_true", help="Clients to daphne, without nginx.")
    parser.add_argument("--json", action="store_true", help="One JSON object on the last line.")
    parser.add_argument("--markdown", action="store_true", help="The figures in Markdown.")
    args = parser.parse_args()
    if args.layer != "both":
        result = run_layer(args, args.layer)
        if args.json:
            print(json.dumps(result))
        return
    layers = {layer: run_child(args, layer) for layer in LAYERS}
    fastest = min(layers, key=lambda name: layers[name]["p50_commit_ms"])
    for name, r in layers.items():
        print(
            f"{name:7} p50 commit->last {r['p50_commit_ms']:8.1f} ms   bare group_send "
            f"{r['p50_bare_ms']:8.1f} ms   ratio {r['ratio']:.3f}"
        )
    print(f"fastest from commit to the last client: {fastest}")
    if args.markdown:
        print(markdown(layers))
        for name, r in layers.items():
            print()
            print(servers.rss_markdown([run["rss_mib"] for run in r["runs"]], prefix=f"{name}: "))
    if args.json:
        print(
            json.dumps(
                {"via": "direct" if args.direct else "nginx", "fastest": fastest, "layers": layers}
            )
        )


if __name__ == "__main__":
    main()
