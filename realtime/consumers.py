"""The `/ws` consumer (CONTRACT §5): authenticate, join the org's group, forward in order.

Client frames: `auth` (also `?token=` or an `Authorization` header), `ping`,
`subscribe` / `unsubscribe` (`brief:<id>`), `resume` (`since`: the last event id
seen) and the desktop's `recording:status`. Bad frames are answered in-band with
`{"type": "error", "code", "message"}`; only auth problems close the socket (1008).

Ordering: `position` is the last id of the org's stream this connection has passed
on or filtered out. Ids are gap-free per org, so a live event that skips ahead
means an earlier one is still in flight from another process (or was dropped by
a full channel): the missing ones are read from the log first, late ones dropped.

No business logic here: the database is reached only through `realtime.services`.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.authentication import bearer_token
from accounts.models import User
from accounts.tokens import InvalidToken
from realtime import events, services

logger = logging.getLogger(__name__)

AUTH_TIMEOUT_SECONDS = 10.0
MAX_FRAME_BYTES = 64 * 1024
MAX_DURATION_MS = 10**12
POLICY_VIOLATION = 1008
REPLAY_BATCH = 500

# Tasks that may outlive their connection (a presence timeout), held against garbage collection.
_background: set[asyncio.Task[None]] = set()


def _spawn(coroutine: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _drop_presence(channel_name: str) -> None:
    """Tell the org that a desktop which left without `stopped` is no longer recording."""
    for presence in await database_sync_to_async(services.presence_expire)(
        channel_name=channel_name
    ):
        frame = events.recording_status_frame(presence, status="stopped")
        await events.recording_status_relay(org_id=presence.org_id, frame=frame)


class FrameError(Exception):
    """A client frame the consumer refuses; answered in-band, the connection stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _since(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FrameError("BAD_REQUEST", "'since' must be the last event id seen (an integer).")
    return value


def _brief_topic(frame: dict[str, Any]) -> str:
    topic = frame.get("topic")
    kind, _, raw = topic.partition(":") if isinstance(topic, str) else ("", "", "")
    try:
        if kind != "brief":
            raise ValueError
        return str(UUID(raw))
    except ValueError:
        raise FrameError("BAD_REQUEST", "'topic' must be 'brief:<id>'.") from None


class EventsConsumer(AsyncWebsocketConsumer):
    """One client's live view of its org: events in id order, presence, brief filters."""

    HANDLERS = {
        "auth": "on_auth",
        "ping": "on_ping",
        "subscribe": "on_subscribe",
        "unsubscribe": "on_unsubscribe",
        "resume": "on_resume",
        "recording:status": "on_recording_status",
    }

    async def connect(self) -> None:
        self.user: User | None = None
        self.org_id: str | None = None
        self.head = 0  # the org's last event id when this connection joined
        self.position = 0
        self.topics: set[str] = set()  # brief ids to narrow to; empty: the whole org
        self.org_briefs: set[str] = set()  # brief ids already checked to be the org's
        self.closed = False
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._lease: asyncio.Task[None] | None = None
        await self.accept()
        token = self._token_from_handshake()
        if token:
            await self._authenticate(token)
        else:
            self._later("auth", AUTH_TIMEOUT_SECONDS, lambda: self._refuse("No auth in time."))

    def _token_from_handshake(self) -> str | None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        if query.get("token"):
            return query["token"][0]
        headers = dict(self.scope.get("headers", []))
        return bearer_token(headers.get(b"authorization", b"").decode("latin1"))

    async def _authenticate(self, token: str) -> None:
        try:
            user, claims = await database_sync_to_async(services.connection_authenticate)(
                token=token
            )
        except InvalidToken as exc:
            logger.info("WebSocket token refused: %s", exc)  # the reason, never the token
            await self._refuse("Invalid or expired token.")
            return
        renewal = self.user is not None
        if renewal and (user.pk, claims.org_id) != (self.user.pk, self.org_id):
            await self._refuse("A renewed token must be for the same user and org.")
            return
        self.user = user
        self._cancel("auth")
        expires_in = claims.expires_at + settings.JWT_LEEWAY_SECONDS - time.time()
        self._later("expiry", expires_in, lambda: self._refuse("Token expired."))
        if not renewal and claims.org_id:
            self.org_id = claims.org_id
            # Join before reading the head: every later event then arrives live.
            await self.channel_layer.group_add(events.org_group(self.org_id), self.channel_name)
            self.head = await database_sync_to_async(services.event_head)(org_id=self.org_id)
            self.position = self.head
        await self._send_json(
            {"type": "connection", "status": "connected", "userId": user.pk, "orgId": self.org_id}
        )
        if not renewal and self.org_id:
            for presence in await database_sync_to_async(services.presence_current)(
                org_id=self.org_id
            ):
                await self._send_json(events.recording_status_frame(presence, status="recording"))

    async def _refuse(self, reason: str) -> None:
        if not self.closed:
            self.closed = True
            await self.close(code=POLICY_VIOLATION, reason=reason)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed:
            return
        try:
            frame = self._parse(text_data, bytes_data)
            if self.user is None and frame["type"] not in ("auth", "ping"):
                raise FrameError("UNAUTHORIZED", "Send {'type': 'auth', 'token': ...} first.")
            await getattr(self, self.HANDLERS[frame["type"]])(frame)
        except FrameError as exc:
            await self._send_json({"type": "error", "code": exc.code, "message": exc.message})

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
        data = text_data.encode() if text_data is not None else bytes_data or b""
        if len(data) > MAX_FRAME_BYTES:
            raise FrameError("PAYLOAD_TOO_LARGE", f"Frames are limited to {MAX_FRAME_BYTES} bytes.")
        if text_data is None:
            raise FrameError("BAD_REQUEST", "Frames must be JSON text.")
        try:
            frame = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise FrameError("BAD_REQUEST", "Frames must be JSON objects.") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError("BAD_REQUEST", "A frame needs a string 'type'.")
        if frame["type"] not in self.HANDLERS:
            raise FrameError("BAD_REQUEST", f"Unknown message type {frame['type'][:40]!r}.")
        return frame

    async def on_auth(self, frame: dict[str, Any]) -> None:
        """First auth, or a fresh token extending the session (answered with `connection`
        again). May carry `since`, to resume in the same step, before any live event."""
        token = frame.get("token")
        if not isinstance(token, str) or not token:
            raise FrameError("BAD_REQUEST", "'auth' needs a 'token'.")
        since = _since(frame["since"]) if "since" in frame else None
        await self._authenticate(token)
        if since is not None and not self.closed:
            await self._resume(since)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await self._send_json({"type": "pong"})

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        """Narrow the stream to a brief of the org (several may be subscribed)."""
        brief_id = _brief_topic(frame)
        if not await self._is_org_brief(brief_id):
            raise FrameError("NOT_FOUND", "Brief not found.")
        self.topics.add(brief_id)
        await self._send_json({"type": "subscribed", "topic": f"brief:{brief_id}"})

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        brief_id = _brief_topic(frame)
        self.topics.discard(brief_id)
        await self._send_json({"type": "unsubscribed", "topic": f"brief:{brief_id}"})

    async def on_resume(self, frame: dict[str, Any]) -> None:
        """Send, in order, the org's events after `since` that came before this connection."""
        await self._resume(_since(frame.get("since")))

    async def _resume(self, since: int) -> None:
        if self.org_id is None or since >= self.head:
            return
        if not await database_sync_to_async(services.events_resumable)(
            org_id=self.org_id, since=since
        ):
            await self._send_json(
                {
                    "type": "error",
                    "code": "EVENTS_EXPIRED",
                    "message": f"Some events after id {since} are no longer kept; reload.",
                }
            )
        await self._replay(since, self.head)

    async def on_recording_status(self, frame: dict[str, Any]) -> None:
        """Store the desktop's recording state and relay it to the org's other clients."""
        payload = frame.get("payload")
        if not isinstance(payload, dict):
            raise FrameError("BAD_REQUEST", "'recording:status' needs a 'payload' object.")
        status, duration = payload.get("status"), payload.get("duration", 0)
        if status not in ("recording", "stopped"):
            raise FrameError("BAD_REQUEST", "'status' must be 'recording' or 'stopped'.")
        if not isinstance(duration, int) or isinstance(duration, bool):
            raise FrameError("BAD_REQUEST", "'duration' must be milliseconds (an integer).")
        if not 0 <= duration <= MAX_DURATION_MS:
            raise FrameError("BAD_REQUEST", "'duration' is out of range.")
        brief_id = payload.get("briefId")
        try:
            brief_id = str(UUID(brief_id))
        except (TypeError, ValueError, AttributeError):
            raise FrameError("BAD_REQUEST", "'briefId' must be a brief id.") from None
        if self.org_id is None or not await self._is_org_brief(brief_id):
            raise FrameError("NOT_FOUND", "Brief not found.")
        presence = await database_sync_to_async(services.presence_update)(
            org_id=self.org_id,
            user=self.user,
            brief_id=brief_id,
            status=status,
            duration=duration,
            channel_name=self.channel_name,
        )
        self._hold_presence(status == "recording")
        await events.recording_status_relay(
            org_id=self.org_id,
            frame=events.recording_status_frame(presence, status=status),
            sender=self.channel_name,
        )

    async def _is_org_brief(self, brief_id: str) -> bool:
        if brief_id not in self.org_briefs:
            if not await database_sync_to_async(services.brief_in_org)(
                org_id=self.org_id, brief_id=brief_id
            ):
                return False
            self.org_briefs.add(brief_id)
        return True

    def _hold_presence(self, recording: bool) -> None:
        """While recording, renew the presence lease; stopping ends the renewals."""
        if recording and self._lease is None:
            self._lease = asyncio.ensure_future(self._renew_presence())
        elif not recording and self._lease is not None:
            self._lease.cancel()
            self._lease = None

    async def _renew_presence(self) -> None:
        while True:
            await asyncio.sleep(services.PRESENCE_TIMEOUT_SECONDS / 3)
            await database_sync_to_async(services.presence_renew)(channel_name=self.channel_name)

    async def realtime_event(self, message: dict[str, Any]) -> None:
        """A server event of the org (`events.EVENT_HANDLER`), passed on in id order."""
        if self.closed or message["id"] <= self.position:
            return
        if message["id"] > self.position + 1:
            await self._replay(self.position, message["id"] - 1)
        self.position = message["id"]
        if self._wants(message["briefId"]):
            await self._send_json(message["event"])

    async def realtime_presence(self, message: dict[str, Any]) -> None:
        """A relayed `recording:status` (`events.PRESENCE_HANDLER`); not echoed to its sender."""
        mine = message["sender"] == self.channel_name
        if not self.closed and not mine and self._wants(message["briefId"]):
            await self._send_json(message["frame"])

    def _wants(self, brief_id: str | None) -> bool:
        return not self.topics or brief_id in self.topics

    async def _replay(self, since: int, until: int) -> None:
        """Send the logged events with `since < id <= until` that this client wants."""
        while since < until:
            frames = await database_sync_to_async(services.events_after)(
                org_id=self.org_id,
                since=since,
                until=until,
                brief_ids=self.topics or None,
                limit=REPLAY_BATCH,
            )
            for frame in frames:
                await self._send_json(frame)
            if len(frames) < REPLAY_BATCH:
                break
            since = frames[-1]["id"]
        self.position = max(self.position, until)

    async def disconnect(self, code: int) -> None:
        self.closed = True
        for timer in self._timers.values():
            timer.cancel()
        if self.org_id:
            await self.channel_layer.group_discard(events.org_group(self.org_id), self.channel_name)
        if self._lease is not None:
            # Left without `stopped`: keep the presence a while, for a quick reconnect.
            self._hold_presence(False)
            await database_sync_to_async(services.presence_renew)(channel_name=self.channel_name)
            asyncio.get_running_loop().call_later(
                services.PRESENCE_TIMEOUT_SECONDS,
                lambda: _spawn(_drop_presence(self.channel_name)),
            )

    def _later(
        self, name: str, delay: float, action: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        self._cancel(name)
        self._timers[name] = asyncio.get_running_loop().call_later(
            max(delay, 0), lambda: _spawn(action())
        )

    def _cancel(self, name: str) -> None:
        if name in self._timers:
            self._timers.pop(name).cancel()

    async def _send_json(self, content: Any) -> None:
        await self.send(text_data=orjson.dumps(content).decode())
