"""The one door for server events: services call these, clients get `{"type", "payload"}`.

Every event is sent after the surrounding transaction commits, so a rolled-back
change never emits one, and only to the channel-layer group of its org.
"""

import logging
from functools import partial
from typing import Any, NotRequired, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from drift.middleware import request_id_var

logger = logging.getLogger(__name__)

SUBMISSION_NEW = "submission:new"
SUBMISSION_UPDATED = "submission:updated"
TASKS_UPDATED = "tasks:updated"


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


def org_group(org_id: str) -> str:
    return f"org.{org_id}"


def publish(*, org_id: str, brief_id: str, type: str, payload: Any) -> None:
    """Send `{"type": type, "payload": payload}` to the org's clients after commit."""
    request_id = request_id_var.get()
    message = {
        "type": "drift.event",
        "event": {"type": type, "payload": payload},
        "briefId": brief_id,
        "requestId": None if request_id == "-" else request_id,
    }
    transaction.on_commit(partial(_send, org_group(org_id), message))


def _send(group: str, message: dict[str, Any]) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:
        # The change is committed; a lost live event is recovered by the client's next read.
        logger.exception("Could not publish %s to %s", message["event"]["type"], group)


def submission_new(*, org_id: str, payload: SubmissionNewPayload) -> None:
    publish(org_id=org_id, brief_id=payload["briefId"], type=SUBMISSION_NEW, payload=payload)


def submission_updated(*, org_id: str, brief_id: str, payload: SubmissionUpdatedPayload) -> None:
    publish(org_id=org_id, brief_id=brief_id, type=SUBMISSION_UPDATED, payload=payload)


def tasks_updated(*, org_id: str, payload: TasksUpdatedPayload) -> None:
    if payload["taskIds"]:
        publish(org_id=org_id, brief_id=payload["briefId"], type=TASKS_UPDATED, payload=payload)
