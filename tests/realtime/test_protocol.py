"""The client protocol on an open `/ws`: ping, bad frames, and brief subscriptions."""

import json
from typing import Any

import pytest

from realtime.consumers import MAX_FRAME_BYTES
from tests.factories import make_brief
from tests.realtime.conftest import Sockets, call, receive

pytestmark = pytest.mark.django_db(transaction=True)


async def still_open(ws: Any) -> bool:
    await ws.send_json_to({"type": "ping"})
    return await receive(ws) == {"type": "pong"}


async def test_ping_gets_pong(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.join(bob)
    assert await still_open(ws)


@pytest.mark.parametrize(
    "frame",
    ["{not json", "[1, 2]", '"auth"', "{}", '{"type": 7}', '{"type": "launch:missiles"}'],
)
async def test_a_malformed_frame_gets_an_error_and_the_connection_stays_open(
    sockets: Sockets, bob: Any, frame: str
) -> None:
    ws = await sockets.join(bob)
    await ws.send_to(text_data=frame)
    error = await receive(ws)
    assert error["type"] == "error"
    assert error["code"] == "BAD_REQUEST"
    assert error["message"]
    assert await still_open(ws)


async def test_a_binary_frame_is_refused_and_the_connection_stays_open(
    sockets: Sockets, bob: Any
) -> None:
    ws = await sockets.join(bob)
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await receive(ws))["code"] == "BAD_REQUEST"
    assert await still_open(ws)


async def test_a_frame_over_64_kb_is_refused(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.join(bob)
    frame = json.dumps({"type": "ping", "padding": "x" * MAX_FRAME_BYTES})
    await ws.send_to(text_data=frame)
    error = await receive(ws)
    assert error == {
        "type": "error",
        "code": "PAYLOAD_TOO_LARGE",
        "message": "Frames are limited to 65536 bytes.",
    }
    assert await still_open(ws)


async def test_a_frame_just_under_64_kb_is_accepted(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.join(bob)
    frame = '{"type": "ping", "padding": ""}'
    frame = frame.replace('""', '"' + "x" * (MAX_FRAME_BYTES - len(frame)) + '"')
    assert len(frame.encode()) == MAX_FRAME_BYTES
    await ws.send_to(text_data=frame)
    assert await receive(ws) == {"type": "pong"}


async def test_subscribing_to_a_brief_of_the_org_is_acknowledged(
    sockets: Sockets, alice: Any, bob: Any
) -> None:
    brief = await call(make_brief, alice)
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "subscribe", "topic": f"brief:{brief.pk}"})
    assert await receive(ws) == {"type": "subscribed", "topic": f"brief:{brief.pk}"}
    await ws.send_json_to({"type": "unsubscribe", "topic": f"brief:{brief.pk}"})
    assert await receive(ws) == {"type": "unsubscribed", "topic": f"brief:{brief.pk}"}


async def test_subscribing_to_a_brief_of_another_org_is_refused(
    sockets: Sockets, alice: Any, mallory: Any
) -> None:
    brief = await call(make_brief, alice)
    ws = await sockets.join(mallory)
    await ws.send_json_to({"type": "subscribe", "topic": f"brief:{brief.pk}"})
    assert await receive(ws) == {
        "type": "error",
        "code": "NOT_FOUND",
        "message": "Brief not found.",
    }
    assert await still_open(ws)


@pytest.mark.parametrize("topic", [None, "brief:", "brief:123", "org:org_acme", 5])
async def test_a_bad_topic_is_refused(sockets: Sockets, bob: Any, topic: Any) -> None:
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "subscribe", "topic": topic})
    assert (await receive(ws))["code"] == "BAD_REQUEST"
    assert await still_open(ws)


@pytest.mark.parametrize("since", [None, -1, "3", 1.5, True])
async def test_a_bad_resume_is_refused(sockets: Sockets, bob: Any, since: Any) -> None:
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "resume", "since": since})
    assert (await receive(ws))["code"] == "BAD_REQUEST"
    assert await still_open(ws)
