"""Connecting to `/ws`: the three ways to authenticate, origins, and token lifetime."""

import asyncio
import logging
from typing import Any

import pytest

from accounts.tokens import issue_local
from realtime import consumers
from tests.factories import token_for
from tests.realtime.conftest import ORIGIN, Sockets, receive, receive_close

pytestmark = pytest.mark.django_db(transaction=True)

# Lifetime of the tokens that expire during a test: long enough to connect on a busy machine.
SHORT_TTL = 3


def connected(user: Any) -> dict[str, Any]:
    return {
        "type": "connection",
        "status": "connected",
        "userId": user.pk,
        "orgId": user.organization_id,
    }


async def test_a_first_auth_message_connects_as_the_spec_says(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.open()
    await ws.send_json_to({"type": "auth", "token": token_for(bob)})
    assert await receive(ws) == connected(bob)


async def test_a_token_in_the_query_string_connects(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.open(f"/ws?token={token_for(bob)}")
    assert await receive(ws) == connected(bob)


async def test_an_authorization_header_connects(sockets: Sockets, alice: Any) -> None:
    header = (b"authorization", f"Bearer {token_for(alice)}".encode())
    ws = await sockets.open(headers=[ORIGIN, header])
    assert await receive(ws) == connected(alice)


async def test_it_closes_with_1008_on_a_bad_token(sockets: Sockets, db: None) -> None:
    ws = await sockets.open()
    await ws.send_json_to({"type": "auth", "token": "not-a-jwt"})
    assert await receive_close(ws) == 1008


async def test_it_closes_with_1008_on_a_bad_token_in_the_query(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.open(f"/ws?token={token_for(bob)}x")
    assert await receive_close(ws) == 1008


async def test_it_closes_with_1008_without_auth_in_time(
    sockets: Sockets, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "AUTH_TIMEOUT_SECONDS", 0.2)
    ws = await sockets.open()
    assert await receive_close(ws, timeout=2) == 1008


async def test_it_waits_ten_seconds_for_auth(sockets: Sockets, db: None) -> None:
    assert consumers.AUTH_TIMEOUT_SECONDS == 10
    ws = await sockets.open()
    assert await ws.receive_nothing(timeout=0.3)


async def test_frames_before_auth_are_refused_without_closing(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.open()
    await ws.send_json_to({"type": "subscribe", "topic": "brief:x"})
    assert (await receive(ws))["code"] == "UNAUTHORIZED"
    await ws.send_json_to({"type": "auth", "token": token_for(bob)})
    assert await receive(ws) == connected(bob)


async def test_it_refuses_a_browser_from_another_origin(db: None) -> None:
    from channels.testing import WebsocketCommunicator

    from drift.asgi import application

    ws = WebsocketCommunicator(application, "/ws", headers=[(b"origin", b"https://evil.example")])
    connected_, _ = await ws.connect()
    assert not connected_


async def test_it_accepts_a_native_client_that_sends_no_origin(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.open(f"/ws?token={token_for(bob)}", headers=[])
    assert await receive(ws) == connected(bob)


async def test_a_token_without_org_connects_but_joins_no_org(sockets: Sockets, db: None) -> None:
    token, _ = issue_local(user_id="user_loner", org_id=None)
    ws = await sockets.open(f"/ws?token={token}")
    assert await receive(ws) == {
        "type": "connection",
        "status": "connected",
        "userId": "user_loner",
        "orgId": None,
    }


async def test_an_expired_token_closes_the_connection_with_1008(
    sockets: Sockets, bob: Any, settings: Any
) -> None:
    settings.JWT_LEEWAY_SECONDS = 0
    # `exp` has whole seconds, so a 1 s token may already be expired when it arrives.
    token, _ = issue_local(user_id=bob.pk, org_id=bob.organization_id, ttl=SHORT_TTL)
    ws = await sockets.open(f"/ws?token={token}")
    assert await receive(ws) == connected(bob)
    assert await receive_close(ws, timeout=SHORT_TTL + 2) == 1008


async def test_a_fresh_token_on_the_open_connection_extends_it(
    sockets: Sockets, bob: Any, settings: Any
) -> None:
    settings.JWT_LEEWAY_SECONDS = 0
    short, _ = issue_local(user_id=bob.pk, org_id=bob.organization_id, ttl=SHORT_TTL)
    ws = await sockets.open(f"/ws?token={short}")
    assert await receive(ws) == connected(bob)
    fresh, _ = issue_local(user_id=bob.pk, org_id=bob.organization_id, ttl=60)
    await ws.send_json_to({"type": "auth", "token": fresh})
    assert await receive(ws) == connected(bob)
    assert await ws.receive_nothing(timeout=SHORT_TTL + 0.5)
    await ws.send_json_to({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}


async def test_renewing_with_another_users_token_closes_with_1008(
    sockets: Sockets, bob: Any, carol: Any
) -> None:
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "auth", "token": token_for(carol)})
    assert await receive_close(ws) == 1008


async def test_a_bad_renewal_token_closes_with_1008(sockets: Sockets, bob: Any) -> None:
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "auth", "token": token_for(bob)[:-3]})
    assert await receive_close(ws) == 1008


async def test_tokens_never_appear_in_logs(
    sockets: Sockets, bob: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = token_for(bob)
    ws = await sockets.open(f"/ws?token={good}")
    await receive(ws)
    await ws.send_json_to({"type": "auth", "token": good + "x"})
    await receive_close(ws)
    bad = await sockets.open()
    await bad.send_json_to({"type": "auth", "token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"})
    await receive_close(bad)
    await asyncio.sleep(0)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "WebSocket token refused" in logged
    assert good not in logged
    assert "c2lnbmF0dXJl" not in logged
