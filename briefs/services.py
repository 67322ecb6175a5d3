"""Use cases for briefs and tasks. Each function is one transaction."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from accounts.models import Role, User
from briefs.models import Brief, Task, key_prefix_for
from briefs.representations import BRIEF_STAMPS
from briefs.signals import MATCHED_FIELDS, tasks_edited
from drift.conditional import save_versioned
from realtime import events


def ensure_can_manage(*, brief: Brief, user: User) -> None:
    if not brief.can_be_managed_by(user):
        raise PermissionDenied("Only a PM or the brief's creator may do this.")


def free_key_prefix(org_id: str, name: str) -> str:
    base = key_prefix_for(name)
    taken = set(
        Brief.objects.filter(organization_id=org_id, key_prefix__startswith=base).values_list(
            "key_prefix", flat=True
        )
    )
    suffix = 1
    prefix = base
    while prefix in taken:
        suffix += 1
        prefix = f"{base}{suffix}"
    return prefix


@transaction.atomic
def brief_create(
    *,
    user: User,
    org_id: str,
    name: str,
    description: str = "",
    status: str = Brief.Status.PLANNING,
) -> Brief:
    if user.role != Role.PM:
        raise PermissionDenied("Only a PM may create briefs.")
    return Brief.objects.create(
        organization_id=org_id,
        name=name,
        description=description,
        status=status,
        created_by=user,
        key_prefix=free_key_prefix(org_id, name),
    )


@transaction.atomic
def brief_update(
    *, brief: Brief, user: User, changes: dict[str, Any], expected_version: int | None = None
) -> Brief:
    """Change a brief; with `expected_version` (from `If-Match`) only if still at it."""
    ensure_can_manage(brief=brief, user=user)
    for field, value in changes.items():
        setattr(brief, field, value)
    brief.version += 1
    brief.stamp = uuid.uuid4()
    save_versioned(brief, [*changes, "version", "stamp", "updated_at"], if_version=expected_version)
    BRIEF_STAMPS.forget([brief.pk])
    return brief


@transaction.atomic
def brief_delete(*, brief: Brief, user: User) -> None:
    ensure_can_manage(brief=brief, user=user)
    brief.delete()


@transaction.atomic
def task_create(
    *,
    brief: Brief,
    user: User,
    role: str,
    title: str,
    description: str = "",
    status: str = Task.Status.TODO,
) -> Task:
    ensure_can_manage(brief=brief, user=user)
    locked = Brief.objects.select_for_update().get(pk=brief.pk)
    number = locked.next_task_number
    Brief.objects.filter(pk=brief.pk).update(next_task_number=F("next_task_number") + 1)
    task = Task.objects.create(
        brief=locked,
        number=number,
        key=f"{locked.key_prefix}-{number}",
        role=role,
        title=title,
        description=description,
        status=status,
    )
    _tasks_changed(brief=locked, task_ids=[task.pk], edited=True)
    return task


@transaction.atomic
def task_update(
    *, task: Task, user: User, changes: dict[str, Any], expected_version: int | None = None
) -> Task:
    """Change a task; with `expected_version` (from `If-Match`) only if still at it."""
    ensure_can_manage(brief=task.brief, user=user)
    for field, value in changes.items():
        setattr(task, field, value)
    task.version += 1
    save_versioned(task, [*changes, "version", "updated_at"], if_version=expected_version)
    _tasks_changed(brief=task.brief, task_ids=[task.pk], edited=bool(MATCHED_FIELDS & set(changes)))
    return task


@transaction.atomic
def task_delete(*, task: Task, user: User) -> None:
    ensure_can_manage(brief=task.brief, user=user)
    brief, task_id = task.brief, task.pk
    task.delete()
    _tasks_changed(brief=brief, task_ids=[task_id], edited=True)


def tasks_set_status(
    *, brief: Brief, task_ids: Iterable[Any], status: str, only_from: str | None = None
) -> list[Any]:
    """Move tasks of `brief` to `status` (only those in `only_from`, when given) and
    announce the ones that changed. Runs inside the caller's transaction."""
    tasks = Task.objects.filter(brief=brief, pk__in=list(task_ids)).exclude(status=status)
    if only_from:
        tasks = tasks.filter(status=only_from)
    changed = list(tasks.values_list("pk", flat=True))
    if changed:
        Task.objects.filter(pk__in=changed).update(status=status, version=F("version") + 1)
        _tasks_changed(brief=brief, task_ids=changed)
    return changed


def brief_touch(*, brief_id: Any) -> None:
    """Record that what the brief's GET representations show changed (its tasks or its
    submissions), so their ETags and cached bodies change. Runs inside the caller's
    transaction, after its other writes (the brief's row stays locked until commit) and
    before it announces the change (`drift.stamps`)."""
    briefs_touch(brief_ids=[brief_id])


def briefs_touch(*, brief_ids: list[Any]) -> None:
    """`brief_touch` for several briefs, in one statement."""
    Brief.objects.filter(pk__in=brief_ids).touch()
    BRIEF_STAMPS.forget(brief_ids)


def _tasks_changed(*, brief: Brief, task_ids: list[Any], edited: bool = False) -> None:
    """Announce changed tasks; `edited` when what matching reads of them changed."""
    brief_touch(brief_id=brief.pk)
    if edited:
        tasks_edited.send(sender=Task, brief=brief, task_ids=task_ids)
    events.tasks_updated(
        org_id=brief.organization_id,
        payload={"briefId": str(brief.pk), "taskIds": [str(pk) for pk in task_ids]},
    )
