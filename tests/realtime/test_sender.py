"""How a process hands its events to channels-redis: over connections it keeps, in the
order it sent them, and again from a forked worker (gunicorn and Celery fork theirs).

A Redis server of the test's own (a real one, on a free port) counts the connections
it received, which no other test or process can disturb.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime import events
from tests.factories import make_brief, make_submission

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server(settings: Any) -> Iterator[redis.Redis]:
    """A private Redis as the channel layer of this process."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
        }
    }
    yield client
    client.close()
    server.terminate()
    server.wait(timeout=10)


def listen(org_id: str) -> str:
    """A channel in the org's group, as a connected client's is."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.org_group(org_id), channel)
    return channel


def received(channel: str, count: int) -> list[dict[str, Any]]:
    async def receive() -> list[dict[str, Any]]:
        layer = get_channel_layer()
        return [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]

    return async_to_sync(receive)()


def connections_received(server: redis.Redis) -> int:
    return server.info("stats")["total_connections_received"]


def test_a_process_sends_its_events_in_order_over_the_connections_it_keeps(
    redis_server: redis.Redis, api: Any, alice: Any, bob: Any
) -> None:
    brief = make_brief(alice)
    pending = [make_submission(brief, bob) for _ in range(11)]
    channel = listen(alice.organization_id)

    def approve(submission: Any) -> None:
        response = api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
        assert response.status_code == 200

    approve(pending[0])
    before = connections_received(redis_server)
    for submission in pending[1:]:
        approve(submission)
    assert connections_received(redis_server) == before
    ids = [m["event"]["payload"]["submissionId"] for m in received(channel, 11)]
    assert ids == [str(s.pk) for s in pending]


# Forking a process with threads is what gunicorn and Celery do; here it is the point.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_sends_through_a_sender_of_its_own(
    redis_server: redis.Redis, alice: Any
) -> None:
    brief = make_brief(alice)
    channel = listen(alice.organization_id)

    def announce(task_id: str) -> None:
        with transaction.atomic():
            payload = {"briefId": str(brief.pk), "taskIds": [task_id]}
            events.tasks_updated(org_id=alice.organization_id, payload=payload)

    announce("from-the-parent")  # the parent's sender is running when it forks
    child = os.fork()
    if child == 0:
        code = 1
        try:
            announce("from-the-child")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    tasks = [m["event"]["payload"]["taskIds"] for m in received(channel, 2)]
    assert tasks == [["from-the-parent"], ["from-the-child"]]
