"""What `/ws` remembers: the org's event log (for `resume`) and who is recording now."""

from datetime import timedelta
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from drift.api import iso

EVENT_RETENTION = timedelta(hours=24)


class EventStreamManager(models.Manager):
    def next_id(self, org_id: str) -> int:
        """Hand out the org's next event id, locking its row until the transaction ends.

        One statement (PostgreSQL, SQLite >= 3.35): the lock serialises the org's
        writers, so it is taken as late and held as briefly as possible."""
        connection = connections[router.db_for_write(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (org_id, last_id) VALUES (%s, 1) ON CONFLICT (org_id) "
                f"DO UPDATE SET last_id = {table}.last_id + 1 RETURNING last_id",
                [org_id],
            )
            return cursor.fetchone()[0]


class EventStream(models.Model):
    """The last event id handed out in one org; its row lock orders the org's events."""

    org_id = models.CharField(primary_key=True, max_length=64)
    last_id = models.PositiveBigIntegerField(default=0)

    objects = EventStreamManager()

    def __str__(self) -> str:
        return f"{self.org_id} @ {self.last_id}"


class EventQuerySet(models.QuerySet):
    def for_org(self, org_id: str) -> "EventQuerySet":
        return self.filter(org_id=org_id)

    def kept(self) -> "EventQuerySet":
        """Events still inside the retention window (pruning may lag behind it)."""
        return self.filter(created_at__gte=timezone.now() - EVENT_RETENTION)


class Event(models.Model):
    """One server event exactly as clients receive it, kept 24 h so they can `resume`.

    `seq` is the event's `id` on the wire: 1, 2, 3 … within an org, without gaps.
    """

    org_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    brief_id = models.UUIDField(null=True, blank=True)
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id", "seq"], name="event_unique_seq_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} #{self.seq} {self.type}"

    def frame(self) -> dict[str, Any]:
        """The client frame: the spec's `{"type", "payload"}` plus `id`, `ts`, `requestId`."""
        frame: dict[str, Any] = {
            "type": self.type,
            "payload": self.payload,
            "id": self.seq,
            "ts": iso(self.created_at),
        }
        if self.request_id:
            frame["requestId"] = self.request_id
        return frame


class RecordingPresence(models.Model):
    """A user of an org who is recording now, held by one WebSocket connection.

    The holder renews `expires_at` while it is connected; a row whose holder went
    away without saying `stopped` expires, so a crashed desktop drops out by itself.
    """

    org_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    user_name = models.CharField(max_length=200, blank=True)
    brief_id = models.UUIDField()
    duration = models.PositiveBigIntegerField(default=0)
    channel_name = models.CharField(max_length=200, db_index=True)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id", "user_id"], name="presence_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} recording {self.brief_id}"
