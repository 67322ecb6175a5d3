"""Recording presence: the desktop's `recording:status`, relayed to the org and remembered."""

import asyncio
from typing import Any

import pytest

from realtime import services
from tests.factories import make_brief
from tests.realtime.conftest import Sockets, call, receive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def brief(alice: Any) -> Any:
    return make_brief(alice)


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    """A presence timeout short enough to wait for, long enough for a loaded machine."""
    monkeypatch.setattr(services, "PRESENCE_TIMEOUT_SECONDS", 0.6)
    return 0.6


def status(brief: Any, state: str = "recording", duration: int = 3_600_000) -> dict[str, Any]:
    return {
        "type": "recording:status",
        "payload": {"briefId": str(brief.pk), "status": state, "duration": duration},
    }


def relayed(brief: Any, user: Any, state: str = "recording", duration: int = 3_600_000) -> Any:
    return {
        "type": "recording:status",
        "payload": {
            "briefId": str(brief.pk),
            "status": state,
            "duration": duration,
            "userId": user.pk,
            "userName": user.name,
        },
    }


async def bob_records(
    sockets: Sockets, alice: Any, bob: Any, brief: Any, duration: int = 3_600_000
) -> tuple[Any, Any]:
    """Alice's web app and Bob's desktop, once Alice has seen Bob start recording."""
    web, desktop = await sockets.join(alice), await sockets.join(bob)
    await desktop.send_json_to(status(brief, duration=duration))
    assert await receive(web) == relayed(brief, bob, duration=duration)
    return web, desktop


async def test_recording_status_reaches_the_orgs_other_clients_with_who_is_recording(
    sockets: Sockets, alice: Any, bob: Any, mallory: Any, brief: Any
) -> None:
    web, desktop, outsider = [await sockets.join(u) for u in (alice, bob, mallory)]
    await desktop.send_json_to(status(brief))
    assert await receive(web) == relayed(brief, bob)
    assert await desktop.receive_nothing(timeout=0.3)
    assert await outsider.receive_nothing(timeout=0.1)


async def test_a_client_that_connects_later_is_told_who_is_recording(
    sockets: Sockets, alice: Any, bob: Any, carol: Any, brief: Any
) -> None:
    await bob_records(sockets, alice, bob, brief, duration=60_000)
    later = await sockets.join(carol)
    assert await receive(later) == relayed(brief, bob, duration=60_000)
    assert await later.receive_nothing(timeout=0.2)


async def test_stopping_is_relayed_and_ends_the_presence(
    sockets: Sockets, alice: Any, bob: Any, carol: Any, brief: Any
) -> None:
    web, desktop = await bob_records(sockets, alice, bob, brief)
    await desktop.send_json_to(status(brief, "stopped", 4_000_000))
    assert await receive(web) == relayed(brief, bob, "stopped", 4_000_000)
    later = await sockets.join(carol)
    assert await later.receive_nothing(timeout=0.3)


async def test_a_desktop_that_vanishes_without_stopping_drops_out_after_the_timeout(
    sockets: Sockets, alice: Any, bob: Any, carol: Any, brief: Any, short_timeout: float
) -> None:
    web, desktop = await bob_records(sockets, alice, bob, brief)
    await desktop.disconnect(code=1006)
    assert await web.receive_nothing(timeout=short_timeout / 2)
    assert await receive(web) == relayed(brief, bob, "stopped")
    later = await sockets.join(carol)
    assert await later.receive_nothing(timeout=0.3)


async def test_a_desktop_that_reconnects_in_time_stays_recording(
    sockets: Sockets, alice: Any, bob: Any, carol: Any, brief: Any, short_timeout: float
) -> None:
    web, desktop = await bob_records(sockets, alice, bob, brief, duration=1000)
    await desktop.disconnect(code=1006)
    again = await sockets.join(bob)
    await again.send_json_to(status(brief, duration=2000))
    assert await receive(web) == relayed(brief, bob, duration=2000)
    assert await web.receive_nothing(timeout=short_timeout * 2)
    later = await sockets.join(carol)
    assert await receive(later) == relayed(brief, bob, duration=2000)


async def test_a_connected_desktop_keeps_its_presence_past_the_timeout(
    sockets: Sockets, alice: Any, bob: Any, brief: Any, short_timeout: float
) -> None:
    desktop = await sockets.join(bob)
    await desktop.send_json_to(status(brief))
    await asyncio.sleep(short_timeout * 2)
    later = await sockets.join(alice)
    assert await receive(later) == relayed(brief, bob)


async def test_recording_on_a_brief_of_another_org_is_refused(
    sockets: Sockets, alice: Any, mallory: Any, brief: Any
) -> None:
    web, outsider = await sockets.join(alice), await sockets.join(mallory)
    await outsider.send_json_to(status(brief))
    assert await receive(outsider) == {
        "type": "error",
        "code": "NOT_FOUND",
        "message": "Brief not found.",
    }
    assert await web.receive_nothing(timeout=0.3)
    assert await call(services.presence_current, org_id=mallory.organization_id) == []


BRIEF = "the brief's id"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {"status": "recording", "duration": 1},
        {"briefId": "nope", "status": "recording", "duration": 1},
        {"briefId": BRIEF, "status": "paused", "duration": 1},
        {"briefId": BRIEF, "status": "recording", "duration": -1},
        {"briefId": BRIEF, "status": "recording", "duration": "long"},
    ],
)
async def test_a_bad_recording_status_is_refused(
    sockets: Sockets, bob: Any, brief: Any, payload: Any
) -> None:
    ws = await sockets.join(bob)
    if payload and payload.get("briefId") == BRIEF:
        payload = {**payload, "briefId": str(brief.pk)}
    await ws.send_json_to({"type": "recording:status", "payload": payload})
    assert (await receive(ws))["code"] == "BAD_REQUEST"
