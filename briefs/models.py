"""Briefs (a piece of work) and their role-based tasks."""

import re
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization, Role


class BriefStatus(models.TextChoices):
    PLANNING = "planning"
    ACTIVE = "active"
    COMPLETED = "completed"


class TaskStatus(models.TextChoices):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class BriefQuerySet(models.QuerySet):
    def for_org(self, org_id: str | None) -> "BriefQuerySet":
        return self.filter(organization_id=org_id) if org_id else self.none()

    def touch(self) -> int:
        """Give these briefs a new `stamp`: something their representations show changed."""
        return self.update(stamp=uuid.uuid4())


class Brief(models.Model):
    Status = BriefStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="briefs")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNING)
    # Tasks are keyed `<prefix>-<n>` (APP-3) so people can type them in branches and summaries.
    key_prefix = models.CharField(max_length=12, editable=False)
    next_task_number = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="briefs_created",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Changes, in the writing transaction, with anything the brief's GET representations
    # show (itself, its tasks, its submissions): their ETags and cache keys derive from it.
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = BriefQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key_prefix"], name="brief_unique_key_prefix_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["organization", "status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    def can_be_managed_by(self, user: models.Model) -> bool:
        """PMs and the brief's creator may change it, its tasks and its submissions."""
        return user.role == Role.PM or user.pk == self.created_by_id


def key_prefix_for(name: str) -> str:
    """`"Apple Pay Checkout"` -> `"APP"`: the first letters of the first word."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words:
        return "TASK"
    first = words[0].upper()
    return first[:3] if len(first) >= 2 else "".join(w[0] for w in words[:3]).upper()


class TaskQuerySet(models.QuerySet):
    def for_org(self, org_id: str | None) -> "TaskQuerySet":
        return self.filter(brief__organization_id=org_id) if org_id else self.none()


class Task(models.Model):
    Status = TaskStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField(editable=False)
    key = models.CharField(max_length=24, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["brief", "number"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "number"], name="task_unique_number"),
        ]
        indexes = [
            models.Index(fields=["brief", "role", "number"]),
            models.Index(fields=["brief", "status", "number"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"
