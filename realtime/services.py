"""Use cases behind `/ws`: the org event log, recording presence, and connection auth.

The consumer reads and writes the database only through these functions.
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_sync_from_claims
from accounts.tokens import Claims, InvalidToken, verify
from briefs.models import Brief
from realtime.models import EVENT_RETENTION, Event, EventStream, RecordingPresence

# A desktop that vanished without saying `stopped` drops out of the presence after this.
PRESENCE_TIMEOUT_SECONDS = 60.0


def connection_authenticate(*, token: str) -> tuple[User, Claims]:
    """Verify a token as the REST API does and sync its user; raises `InvalidToken`."""
    claims = verify(token)
    user = user_sync_from_claims(claims=claims)
    if not user.is_active:
        raise InvalidToken("This account is disabled")
    return user, claims


def brief_in_org(*, org_id: str | None, brief_id: str) -> bool:
    """Whether `brief_id` names a brief of the org (a malformed id names none)."""
    try:
        pk = UUID(brief_id)
    except (TypeError, ValueError):
        return False
    return Brief.objects.for_org(org_id).filter(pk=pk).exists()


@transaction.atomic(savepoint=False)
def event_record(
    *, org_id: str, brief_id: str | None, type: str, payload: Any, request_id: str = ""
) -> Event:
    """Append an event to its org's log under the org's next id.

    Called inside the publishing transaction: the row commits or rolls back with
    the change it reports, and the org's `EventStream` row stays locked until then,
    so an org's ids become visible strictly in order and without gaps. That is what
    lets a client resume from "the last id I saw" and never miss one.
    """
    seq = EventStream.objects.next_id(org_id)
    return Event.objects.create(
        org_id=org_id,
        seq=seq,
        brief_id=brief_id,
        type=type,
        payload=payload,
        request_id=request_id,
    )


def event_head(*, org_id: str) -> int:
    """The org's last event id (0 before its first event)."""
    head = EventStream.objects.filter(org_id=org_id).values_list("last_id", flat=True).first()
    return head or 0


def events_after(
    *, org_id: str, since: int, until: int, brief_ids: set[str] | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Client frames of the org's kept events with `since < id <= until`, oldest first."""
    events = Event.objects.for_org(org_id).kept().filter(seq__gt=since, seq__lte=until)
    if brief_ids:
        events = events.filter(brief_id__in=brief_ids)
    return [event.frame() for event in events.order_by("seq")[:limit]]


def events_resumable(*, org_id: str, since: int) -> bool:
    """Whether every event after `since` is still kept, so a resume can be complete."""
    if since >= event_head(org_id=org_id):
        return True
    return Event.objects.for_org(org_id).kept().filter(seq=since + 1).exists()


def events_prune(*, now: Any = None) -> int:
    """Delete events past the retention window and expired presence; returns events deleted."""
    now = now or timezone.now()
    RecordingPresence.objects.filter(expires_at__lt=now).delete()
    deleted, _ = Event.objects.filter(created_at__lt=now - EVENT_RETENTION).delete()
    return deleted


def _lease() -> Any:
    return timezone.now() + timedelta(seconds=PRESENCE_TIMEOUT_SECONDS)


def presence_update(
    *, org_id: str, user: User, brief_id: str, status: str, duration: int, channel_name: str
) -> RecordingPresence:
    """Record that `user` started (or goes on) recording `brief_id`, or stopped.

    Returns the presence as it now stands (unsaved when the user stopped).
    """
    fields = {
        "user_name": user.name or user.pk,
        "brief_id": brief_id,
        "duration": duration,
        "channel_name": channel_name,
        "expires_at": _lease(),
    }
    if status == "stopped":
        RecordingPresence.objects.filter(org_id=org_id, user_id=user.pk).delete()
        return RecordingPresence(org_id=org_id, user_id=user.pk, **fields)
    presence, _ = RecordingPresence.objects.update_or_create(
        org_id=org_id, user_id=user.pk, defaults=fields
    )
    return presence


def presence_renew(*, channel_name: str) -> None:
    """Extend the lease of the presence a live connection holds."""
    RecordingPresence.objects.filter(channel_name=channel_name).update(expires_at=_lease())


def presence_expire(*, channel_name: str) -> list[RecordingPresence]:
    """Drop the presence a closed connection still holds; returns what was dropped.

    A desktop that reconnected in time holds its presence under a new channel
    name, so it is not dropped.
    """
    with transaction.atomic():
        held = list(RecordingPresence.objects.select_for_update().filter(channel_name=channel_name))
        RecordingPresence.objects.filter(pk__in=[p.pk for p in held]).delete()
    return held


def presence_current(*, org_id: str) -> list[RecordingPresence]:
    """Who in the org is recording now, oldest first."""
    return list(
        RecordingPresence.objects.filter(org_id=org_id, expires_at__gt=timezone.now()).order_by(
            "updated_at"
        )
    )
