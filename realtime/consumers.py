"""The `/ws` consumer: authenticate, join the org's group, forward its events."""

import asyncio
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.authentication import bearer_token
from accounts.services import user_sync_from_claims
from accounts.tokens import Claims, InvalidToken, verify
from realtime.events import org_group

AUTH_TIMEOUT_SECONDS = 10
POLICY_VIOLATION = 1008


@database_sync_to_async
def authenticate(token: str) -> tuple[Any, Claims]:
    claims = verify(token)
    return user_sync_from_claims(claims=claims), claims


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Accepts first, then waits for a token (first message, `?token=` or header)."""

    async def connect(self) -> None:
        self.claims: Claims | None = None
        self.group: str | None = None
        await self.accept()
        token = self._token_from_handshake()
        if token:
            await self._login(token)
        else:
            self._auth_timer = asyncio.get_running_loop().call_later(
                AUTH_TIMEOUT_SECONDS, lambda: asyncio.ensure_future(self._close_unauthenticated())
            )

    def _token_from_handshake(self) -> str | None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        if query.get("token"):
            return query["token"][0]
        headers = dict(self.scope.get("headers", []))
        return bearer_token(headers.get(b"authorization", b"").decode())

    async def _close_unauthenticated(self) -> None:
        if self.claims is None:
            await self.close(code=POLICY_VIOLATION)

    async def _login(self, token: str) -> None:
        try:
            user, self.claims = await authenticate(token)
        except InvalidToken:
            await self.close(code=POLICY_VIOLATION)
            return
        if self.claims.org_id:
            self.group = org_group(self.claims.org_id)
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(
            {
                "type": "connection",
                "status": "connected",
                "userId": user.pk,
                "orgId": self.claims.org_id,
            }
        )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "auth" and isinstance(content.get("token"), str):
            await self._login(content["token"])
        elif self.claims is None:
            await self.close(code=POLICY_VIOLATION)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(
                {
                    "type": "error",
                    "code": "BAD_REQUEST",
                    "message": f"Unknown message type {kind!r}.",
                }
            )

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def drift_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
