"""Submitted work sessions, their activities and snippets, and what they were matched to."""

import uuid
from datetime import date
from typing import Any

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from django.utils import timezone

from accounts.models import Organization, Role
from briefs.models import Brief, Task


class SubmissionStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class MatchStatus(models.TextChoices):
    PENDING = "pending"
    MATCHED = "matched"
    FAILED = "failed"


class SnippetContext(models.TextChoices):
    CODE = "code"
    TERMINAL = "terminal"
    BROWSER = "browser"


class SubmissionQuerySet(models.QuerySet):
    def for_org(self, org_id: str | None) -> "SubmissionQuerySet":
        return self.filter(brief__organization_id=org_id) if org_id else self.none()

    def with_details(self, *, history: bool = False) -> "SubmissionQuerySet":
        """Everything a SubmissionOutput reads (and, with `history`, a
        SubmissionDetailOutput), in a constant number of queries."""
        queryset = self.prefetch_related("activities", "matches")
        return queryset.prefetch_related("history") if history else queryset


class Submission(models.Model):
    Status = SubmissionStatus
    MatchStatus = MatchStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    user_name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices)
    summary = models.JSONField(default=list)
    duration = models.PositiveIntegerField(help_text="Minutes.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    match_status = models.CharField(
        max_length=16, choices=MatchStatus.choices, default=MatchStatus.PENDING
    )
    matcher = models.CharField(max_length=32, blank=True, help_text="Which matcher decided.")
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["brief", "-created_at"]),
            models.Index(fields=["brief", "status", "-created_at"]),
            models.Index(fields=["brief", "user", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self) -> str:
        first = self.summary[0] if self.summary else ""
        return f"{self.user_name}: {first}"[:80]

    @property
    def matched_task_ids(self) -> list[uuid.UUID]:
        return [match.task_id for match in self.matches.all()]

    def hold(self, **related: list[models.Model]) -> "Submission":
        """Keep rows just written as this submission's prefetched relations, as
        `with_details()` would have loaded them, so reading them needs no query."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        for name, rows in related.items():
            # What Django's own prefetching stores: a queryset holding its result.
            queryset = getattr(self, name).all()
            queryset._result_cache, queryset._prefetch_done = rows, True
            cache[name] = queryset
        self._prefetched_objects_cache = cache
        return self


# An activity's fields as clients send and read them, in the representation's order.
ACTIVITY_FIELDS = ("app", "title", "summary", "duration", "timestamp")


class ActivityQuerySet(models.QuerySet):
    def insert_all(self, submission_id: uuid.UUID, activities: list[dict[str, Any]]) -> None:
        """Insert a new submission's activities (up to 1000), given as `ACTIVITY_FIELDS`
        rows in order, in one statement. On PostgreSQL they travel as one JSON document,
        numbered there, and build no model instance: `bulk_create` spends most of its
        time making and preparing instances and setting their ids, which nobody reads."""
        connection = connections[router.db_for_write(self.model)]
        if connection.vendor != "postgresql":
            self.bulk_create(
                self.model(submission_id=submission_id, position=i, **row)
                for i, row in enumerate(activities)
            )
            return
        quote = connection.ops.quote_name
        fields = [self.model._meta.get_field(name) for name in ACTIVITY_FIELDS]
        names = ", ".join(quote(f.column) for f in fields)
        record = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
        rows = f"json_to_recordset(%s::json) AS ({record})"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(self.model._meta.db_table)} "
                f"(submission_id, position, {names}) SELECT %s, r.position - 1, {names} "
                f"FROM ROWS FROM ({rows}) WITH ORDINALITY AS r({names}, position)",
                [submission_id, orjson.dumps(activities).decode()],
            )


class Activity(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField()
    app = models.CharField(max_length=200)
    title = models.CharField(max_length=1000, blank=True)
    summary = models.TextField(blank=True)
    duration = models.PositiveIntegerField(help_text="Minutes.")
    timestamp = models.BigIntegerField(help_text="Unix time in milliseconds.")

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="activity_unique_position"
            )
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.app}: {self.title}"


class Snippet(models.Model):
    Context = SnippetContext

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="snippets")
    position = models.PositiveIntegerField()
    text = models.TextField(help_text="OCR text with secrets redacted.")
    context = models.CharField(max_length=16, choices=Context.choices)

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="snippet_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class SubmissionMatch(models.Model):
    """One task a submission was matched to, with the matcher's confidence and reason."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="matches")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="submission_matches")
    rank = models.PositiveSmallIntegerField()
    confidence = models.FloatField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["submission", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "task"], name="match_unique_task")
        ]
        verbose_name_plural = "matches"

    def __str__(self) -> str:
        return f"{self.task_id} ({self.confidence:.2f})"


class SubmissionEventKind(models.TextChoices):
    MATCHED = "matched"
    MATCH_FAILED = "match_failed"
    REMATCH_QUEUED = "rematch_queued"
    MATCHES_EDITED = "matches_edited"
    APPROVED = "approved"
    REJECTED = "rejected"


class SubmissionEvent(models.Model):
    """Audit: one status change or match edit, who made it, and what the matcher proposed.

    Written by the services in the transaction of the change it records (see
    `submissions.audit`); never edited afterwards.
    """

    Kind = SubmissionEventKind

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it; empty for the matcher.",
    )
    actor_name = models.CharField(max_length=200, blank=True)
    from_status = models.CharField(max_length=16, choices=Submission.Status.choices)
    to_status = models.CharField(max_length=16, choices=Submission.Status.choices)
    tasks_before = models.JSONField(default=list, help_text="Matched task ids before.")
    tasks_after = models.JSONField(default=list, help_text="Matched task ids after.")
    matcher = models.CharField(max_length=32, blank=True)
    proposed = models.JSONField(
        default=list, help_text="The matcher's proposal: [{taskId, confidence}]."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_name or 'matcher'}"


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` of POST /api/submissions, scoped to its user (CONTRACT §6).

    Claimed before the submission is written and bound to it in the same transaction
    (`submissions.idempotency`); kept 24 h, then pruned (`prune_idempotency_keys`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, help_text="The first response's body."
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return self.key


class TaskProfile(models.Model):
    """A task as the matcher reads it, built when the task is created or edited and when
    an approval teaches it, so matching a submission never rebuilds it
    (`submissions.profiles`). The stamps say what it was built from."""

    task = models.OneToOneField(
        Task, primary_key=True, on_delete=models.CASCADE, related_name="profile"
    )
    text_stamp = models.CharField(
        max_length=64, help_text="Digest of the task's matched fields and the profile format."
    )
    examples_stamp = models.CharField(
        max_length=64, blank=True, help_text="Count and latest time of the approvals it learnt."
    )
    examples = models.JSONField(default=list, help_text="Text of the work approved for the task.")
    data = models.JSONField(help_text="The matcher's representation of the task.")

    def __str__(self) -> str:
        return f"profile of {self.task_id}"


def this_month() -> date:
    return timezone.now().date().replace(day=1)


class LlmUsageQuerySet(models.QuerySet):
    def spent(self, org_id: str) -> int:
        """Tokens the org's LLM matching used this month (UTC)."""
        usage = self.filter(organization_id=org_id, month=this_month()).first()
        return usage.tokens if usage else 0

    def charge(self, org_id: str, tokens: int) -> None:
        """Add `tokens` to the org's count for this month; safe under concurrent matching."""
        usage, _ = self.get_or_create(organization_id=org_id, month=this_month())
        self.filter(pk=usage.pk).update(tokens=models.F("tokens") + tokens)


class LlmUsage(models.Model):
    """Tokens one org's LLM matching used in one month, as the model's server reported
    them: `DRIFT_LLM_MONTHLY_TOKENS` is checked against it before each call."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The month's first day (UTC).")
    tokens = models.PositiveBigIntegerField(default=0)

    objects = LlmUsageQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="llm_usage_unique_month")
        ]
        verbose_name = "LLM usage"
        verbose_name_plural = "LLM usage"

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}: {self.tokens} tokens"
