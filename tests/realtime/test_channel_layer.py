"""`DRIFT_CHANNEL_LAYER` picks channels-redis' layer (`pubsub` or `core`): with either, an
event published by another process reaches a client of a real daphne, also after the
connection sat idle longer than the layer's blocking reads (core: BZPOPMIN of 5 s).

The delivery test needs `REDIS_URL` and PostgreSQL, like `test_cross_process.py`.
"""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import websockets
from django.conf import settings

from tests.factories import make_brief, token_for
from tests.realtime.test_cross_process import BASE_DIR, SHARED, database_url, in_another_process
from tests.reliability.servers import DriftServer, drift_env

IDLE_SECONDS = 6


@pytest.fixture(params=["pubsub", "core"])
def layer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DRIFT_CHANNEL_LAYER", request.param)
    return request.param


@pytest.fixture
def daphne(layer: str) -> Iterator[DriftServer]:
    server = DriftServer(drift_env(database_url=database_url(), redis_url=settings.REDIS_URL))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def brief(alice: Any) -> Any:
    return make_brief(alice)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not SHARED, reason="needs REDIS_URL and PostgreSQL")
async def test_an_event_from_another_process_reaches_a_client_after_idling(
    daphne: DriftServer, alice: Any, brief: Any
) -> None:
    ws = await websockets.connect(f"ws://127.0.0.1:{daphne.port}/ws?token={token_for(alice)}")
    try:
        assert orjson.loads(await ws.recv())["type"] == "connection"
        await asyncio.sleep(IDLE_SECONDS)
        await in_another_process(
            "from django.db import transaction; from realtime import events\n"
            "with transaction.atomic():\n"
            f"    events.tasks_updated(org_id='{alice.organization_id}', "
            f"payload={{'briefId': '{brief.pk}', 'taskIds': ['t1']}})"
        )
        event = orjson.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        assert (event["type"], event["payload"]["briefId"]) == ("tasks:updated", str(brief.pk))
    finally:
        await ws.close()


def test_an_unknown_channel_layer_stops_the_start() -> None:
    # Settings are read at start; nothing connects to this Redis.
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0", "DRIFT_CHANNEL_LAYER": "rabbit"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DRIFT_CHANNEL_LAYER must be one of pubsub, core" in result.stderr
