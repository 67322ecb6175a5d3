"""WebSocket fixtures: `sockets` opens `/ws` connections through `drift.asgi.application`
(origin check and routing included) with Channels' `WebsocketCommunicator`.

Tests here are `async def`: this conftest runs each in an event loop of its own
(`asyncio.run`, no pytest-asyncio needed) and closes the sockets it opened.
Synchronous work (HTTP calls, the ORM) goes through `call(...)`, in a thread.
"""

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from drift.asgi import application
from tests.factories import token_for

ORIGIN = (b"origin", b"http://localhost:5173")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(_run(pyfuncitem.obj, {name: pyfuncitem.funcargs[name] for name in names}))
    return True


async def _run(test: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    try:
        await test(**kwargs)
    finally:
        for value in kwargs.values():
            if isinstance(value, Sockets):
                await value.close_all()


async def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run synchronous code (the test HTTP client, the ORM) off the event loop."""
    return await sync_to_async(function)(*args, **kwargs)


async def receive(ws: WebsocketCommunicator, timeout: float = 5) -> dict[str, Any]:
    return await ws.receive_json_from(timeout=timeout)


async def receive_close(ws: WebsocketCommunicator, timeout: float = 5) -> int:
    """Wait for the server to close the socket; returns the close code."""
    message = await ws.receive_output(timeout)
    assert message["type"] == "websocket.close", message
    return message["code"]


class Sockets:
    """Opens `/ws` connections, as the desktop or web app would, and closes them after."""

    def __init__(self) -> None:
        self.opened: list[WebsocketCommunicator] = []

    async def open(
        self, path: str = "/ws", headers: list[tuple[bytes, bytes]] | None = None
    ) -> WebsocketCommunicator:
        """An accepted, not yet authenticated socket."""
        ws = WebsocketCommunicator(
            application, path, headers=[ORIGIN] if headers is None else headers
        )
        self.opened.append(ws)
        connected, code = await ws.connect()
        assert connected, f"refused with {code}"
        return ws

    async def join(self, user: User, **auth: Any) -> WebsocketCommunicator:
        """A socket authenticated the spec's way (a first `auth` message)."""
        ws = await self.open()
        await ws.send_json_to({"type": "auth", "token": token_for(user), **auth})
        assert await receive(ws) == {
            "type": "connection",
            "status": "connected",
            "userId": user.pk,
            "orgId": user.organization_id,
        }
        return ws

    async def close_all(self) -> None:
        for ws in self.opened:
            # CancelledError: the test already gave up on it (a receive timed out).
            with contextlib.suppress(asyncio.CancelledError):
                await ws.disconnect()


@pytest.fixture
def sockets() -> Sockets:
    return Sockets()
