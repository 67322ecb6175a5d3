"""The one door for server events: services call these, clients get `{"type", "payload"}`.

`publish()` appends the event to its org's log inside the caller's transaction and
sends it to the org's channel-layer group after commit, so a rolled-back change
never emits one and a committed one is never lost to a client that resumes.
Every frame also carries `id` (per org, gap-free), `ts` and, when a request
caused it, that request's `requestId`.

The channel-layer handler names, and so the consumer methods that receive them,
are mapped here and nowhere else.
"""

import asyncio
import logging
import os
import threading
import time
from collections.abc import Coroutine
from functools import partial
from typing import Any, Literal, NotRequired, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import (
    DEFAULT_CHANNEL_LAYER,
    BaseChannelLayer,
    InMemoryChannelLayer,
    channel_layers,
    get_channel_layer,
)
from django.db import transaction

from drift.middleware import request_id_var
from realtime import services
from realtime.models import Event, RecordingPresence

logger = logging.getLogger(__name__)

SUBMISSION_NEW = "submission:new"
SUBMISSION_UPDATED = "submission:updated"
TASKS_UPDATED = "tasks:updated"
RECORDING_STATUS = "recording:status"

# Channel-layer message types -> `EventsConsumer.realtime_event` / `.realtime_presence`.
EVENT_HANDLER = "realtime.event"
PRESENCE_HANDLER = "realtime.presence"

PRUNE_EVERY_SECONDS = 3600.0
_last_prune = 0.0
# How long a committed write waits for its event to reach the channel layer.
SEND_TIMEOUT_SECONDS = 1.0


class SubmissionNewPayload(TypedDict):
    submissionId: str
    briefId: str
    userId: str
    userName: str


class SubmissionUpdatedPayload(TypedDict):
    submissionId: str
    status: str
    matchedTasks: NotRequired[list[str]]
    matchStatus: NotRequired[str]


class TasksUpdatedPayload(TypedDict):
    briefId: str
    taskIds: list[str]


class RecordingStatusPayload(TypedDict):
    briefId: str
    status: Literal["recording", "stopped"]
    duration: int
    userId: str
    userName: str


class EventFrame(TypedDict):
    """A server event as sent: the spec's `type` and `payload`, plus our additions."""

    type: str
    payload: Any
    id: int
    ts: str
    requestId: NotRequired[str]


class RecordingStatusFrame(TypedDict):
    type: Literal["recording:status"]
    payload: RecordingStatusPayload


def org_group(org_id: str) -> str:
    return f"org.{org_id}"


def publish(*, org_id: str, brief_id: str | None, type: str, payload: Any) -> None:
    """Log the event in the org's stream now and send it to the org's clients after commit."""
    request_id = request_id_var.get()
    event = services.event_record(
        org_id=org_id,
        brief_id=brief_id,
        type=type,
        payload=payload,
        request_id="" if request_id == "-" else request_id,
    )
    transaction.on_commit(partial(_send, org_group(org_id), layer_message(event)))


def layer_message(event: Event) -> dict[str, Any]:
    """The channel-layer message carrying a logged event to `EventsConsumer.realtime_event`."""
    return {
        "type": EVENT_HANDLER,
        "id": event.seq,
        "briefId": str(event.brief_id) if event.brief_id else None,
        "event": event.frame(),
    }


class LayerSender:
    """One event loop in a daemon thread, through which a process sends all its events.

    `async_to_sync` would run each send in a new event loop, and channels-redis keeps
    its connections per loop: a new Redis connection per event. Here the loop, and so
    the connections, live as long as the process. A caller waits for its send (bounded),
    so the events of one thread leave in order and none is lost when a process exits.
    The sender has a layer of its own: a layer's locks and pools belong to the loop
    that first used them, and a daphne process's consumers use the shared one.
    """

    def __init__(self) -> None:
        self._like: BaseChannelLayer | None = None
        self._layer: BaseChannelLayer | None = None
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="realtime-sender", daemon=True).start()

    def layer_like(self, shared: BaseChannelLayer) -> BaseChannelLayer:
        """A layer of the sender's own, configured as the process's `shared` one (made
        again when a settings change gives the process a new one)."""
        if self._like is not shared:
            self._like, self._layer = shared, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        return self._layer

    def run(self, send: Coroutine[Any, Any, None], *, timeout: float) -> None:
        future = asyncio.run_coroutine_threadsafe(send, self.loop)
        try:
            future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise


_sender: LayerSender | None = None
_sender_lock = threading.Lock()


def layer_sender() -> LayerSender:
    """This process's sender, started on first use (again in a forked child)."""
    global _sender
    with _sender_lock:
        if _sender is None:
            _sender = LayerSender()
        return _sender


def _forget_sender() -> None:
    """A forked child (a gunicorn or Celery worker) has no copy of its parent's thread."""
    global _sender, _sender_lock
    _sender, _sender_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_sender)


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # In-process: its queues belong to the loop of this process's server.
            async_to_sync(layer.group_send)(group, message)
        else:
            sender = layer_sender()
            send = sender.layer_like(layer).group_send(group, message)
            sender.run(send, timeout=SEND_TIMEOUT_SECONDS)
    except Exception:
        # The event is logged; connected clients fill the gap when the next one arrives.
        logger.exception("Could not publish %s to %s", message["event"]["type"], group)
    _prune_now_and_then()


def _prune_now_and_then() -> None:
    """Keep the log to 24 h without a scheduler: any publishing process prunes hourly."""
    global _last_prune
    if time.monotonic() - _last_prune < PRUNE_EVERY_SECONDS:
        return
    _last_prune = time.monotonic()
    try:
        services.events_prune()
    except Exception:
        logger.exception("Could not prune old events")


def submission_new(*, org_id: str, payload: SubmissionNewPayload) -> None:
    """A submission was stored (spec: `submission:new`)."""
    publish(org_id=org_id, brief_id=payload["briefId"], type=SUBMISSION_NEW, payload=payload)


def submission_updated(*, org_id: str, brief_id: str, payload: SubmissionUpdatedPayload) -> None:
    """A submission's status changed, or its matching finished (`matchedTasks`, `matchStatus`)."""
    publish(org_id=org_id, brief_id=brief_id, type=SUBMISSION_UPDATED, payload=payload)


def tasks_updated(*, org_id: str, payload: TasksUpdatedPayload) -> None:
    """Tasks of a brief changed (status, fields, created or deleted); none: no event."""
    if payload["taskIds"]:
        publish(org_id=org_id, brief_id=payload["briefId"], type=TASKS_UPDATED, payload=payload)


def recording_status_frame(
    presence: RecordingPresence, *, status: Literal["recording", "stopped"]
) -> RecordingStatusFrame:
    """The relayed `recording:status`: the desktop's payload with `userId` and `userName`."""
    return {
        "type": RECORDING_STATUS,
        "payload": {
            "briefId": str(presence.brief_id),
            "status": status,
            "duration": presence.duration,
            "userId": presence.user_id,
            "userName": presence.user_name,
        },
    }


async def recording_status_relay(
    *, org_id: str, frame: RecordingStatusFrame, sender: str | None = None
) -> None:
    """Relay a `recording:status` live to the org's clients but `sender`; it is not logged."""
    await get_channel_layer().group_send(
        org_group(org_id),
        {
            "type": PRESENCE_HANDLER,
            "sender": sender,
            "briefId": frame["payload"]["briefId"],
            "frame": frame,
        },
    )
