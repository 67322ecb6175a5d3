"""The hot brief and task representations: their stamps (one query each, checking the
caller's org) and their bodies built from `.values()` rows, key for key what
`BriefDetailOutput`, `TaskListOutput` and `TaskOutput` (the schema's source) give."""

from typing import Any
from uuid import UUID

from rest_framework.request import Request

from accounts.permissions import org_id_of
from briefs.models import Brief, Task
from drift.api import iso
from drift.representations import db_id, stamp_row, stamped
from drift.stamps import StampMirror

BRIEF_FIELDS = (
    "id",
    "organization_id",
    "name",
    "description",
    "status",
    "created_by_id",
    "created_at",
)
TASK_FIELDS = ("id", "brief_id", "key", "role", "title", "description", "status", "created_at")


_BRIEF_STAMP = f"SELECT stamp, organization_id FROM {Brief._meta.db_table} WHERE id = %s"
_TASK_STAMP = f"""SELECT task.version FROM {Task._meta.db_table} task
    JOIN {Brief._meta.db_table} brief ON brief.id = task.brief_id
    WHERE task.id = %s AND brief.organization_id = %s"""


def _load_brief_stamp(brief_id: UUID) -> tuple[UUID, str] | None:
    row = stamp_row(_BRIEF_STAMP, db_id(Brief, brief_id))
    return None if row is None else (Brief._meta.get_field("stamp").to_python(row[0]), row[1])


BRIEF_STAMPS = StampMirror("brief", _load_brief_stamp, UUID)


def brief_stamp(request: Request, brief_id: UUID) -> UUID | None:
    """The brief's stamp, or None when the caller's org has no such brief."""
    return BRIEF_STAMPS.stamp(request, org_id_of(request), brief_id)


def task_stamp(org_id: str | None, task_id: UUID) -> int | None:
    """The task's version, or None when the caller's org has no such task."""
    row = stamp_row(_TASK_STAMP, db_id(Task, task_id), org_id)
    return None if row is None else row[0]


def brief_etag(brief_id: UUID, stamp: UUID | None, *query: Any) -> str | None:
    """The ETag of the brief's detail (or, with `query`, another view of it) at `stamp`."""
    return stamped("brief", brief_id, *query, stamp=stamp)


def task_etag(task_id: UUID, version: int | None) -> str | None:
    return stamped("task", task_id, stamp=version)


def brief_data(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "orgId": row["organization_id"],
        "name": row["name"],
        "description": row["description"],
        "status": row["status"],
        "createdBy": row["created_by_id"],
        "createdAt": iso(row["created_at"]),
    }


def task_data(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "briefId": row["brief_id"],
        "key": row["key"],
        "role": row["role"],
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "createdAt": iso(row["created_at"]),
    }


def brief_detail(brief_id: UUID) -> dict[str, Any]:
    brief = Brief.objects.values(*BRIEF_FIELDS).get(pk=brief_id)
    tasks = Task.objects.filter(brief_id=brief_id).order_by("number").values(*TASK_FIELDS)
    return {**brief_data(brief), "tasks": [task_data(row) for row in tasks]}


def brief_page(briefs: Any) -> list[dict[str, Any]]:
    return [brief_data(row) for row in briefs.values(*BRIEF_FIELDS)]


def task_list(brief_id: UUID, filters: dict[str, str]) -> dict[str, Any]:
    tasks = Task.objects.filter(brief_id=brief_id, **filters).order_by("number")
    rows = [task_data(row) for row in tasks.values(*TASK_FIELDS)]
    return {"tasks": rows, "total": len(rows)}


def task_detail(task_id: UUID) -> dict[str, Any]:
    return task_data(Task.objects.values(*TASK_FIELDS).get(pk=task_id))
