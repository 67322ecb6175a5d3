"""The hot submission representations: their stamps (one query each, checking the
caller's org) and their bodies built from `.values()` rows, key for key what
`SubmissionOutput` and `SubmissionDetailOutput` (the schema's source) give, in a
constant number of queries."""

from collections import defaultdict
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from briefs.models import Brief
from drift.api import iso
from drift.representations import db_id, stamp_row, stamped
from submissions.models import (
    ACTIVITY_FIELDS,
    Activity,
    Submission,
    SubmissionEvent,
    SubmissionMatch,
)

SUBMISSION_FIELDS = (
    "id",
    "brief_id",
    "user_id",
    "user_name",
    "role",
    "summary",
    "duration",
    "status",
    "created_at",
    "match_status",
    "needs_review",
)


_SUBMISSION_STAMP = f"""SELECT submission.version,
        (SELECT COUNT(*) FROM {SubmissionMatch._meta.db_table} m
         WHERE m.submission_id = submission.id)
    FROM {Submission._meta.db_table} submission
    JOIN {Brief._meta.db_table} brief ON brief.id = submission.brief_id
    WHERE submission.id = %s AND brief.organization_id = %s"""


def submission_stamp(org_id: str | None, submission_id: UUID) -> tuple[int, int] | None:
    """What the submission's detail depends on: its version and how many matches it has
    (deleting a task drops its matches without a new version). None when the caller's
    org has no such submission."""
    return stamp_row(_SUBMISSION_STAMP, db_id(Submission, submission_id), org_id)


def submission_etag(submission_id: UUID, stamp: tuple[int, int] | None) -> str | None:
    return stamped("submission", submission_id, stamp=stamp)


def _by_submission(rows: QuerySet) -> dict[UUID, list[dict[str, Any]]]:
    grouped: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.pop("submission_id")].append(row)
    return grouped


def submission_list(submissions: QuerySet) -> list[dict[str, Any]]:
    """`SubmissionOutput` of each of `submissions`: three queries, whatever their number."""
    rows = list(submissions.values(*SUBMISSION_FIELDS))
    ids = [row["id"] for row in rows]
    activities = _by_submission(
        Activity.objects.filter(submission_id__in=ids)
        .order_by("position")
        .values("submission_id", *ACTIVITY_FIELDS)
    )
    matches = _by_submission(
        SubmissionMatch.objects.filter(submission_id__in=ids)
        .order_by("rank")
        .values("submission_id", "task_id", "confidence", "reason")
    )
    return [submission_data(row, activities[row["id"]], matches[row["id"]]) for row in rows]


def submission_data(
    row: dict[str, Any], activities: list[dict[str, Any]], matches: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": row["id"],
        "briefId": row["brief_id"],
        "userId": row["user_id"],
        "userName": row["user_name"],
        "role": row["role"],
        "summary": row["summary"],
        "duration": row["duration"],
        "activities": activities,
        "matchedTasks": [match["task_id"] for match in matches],
        "status": row["status"],
        "createdAt": iso(row["created_at"]),
        "matchStatus": row["match_status"],
        "matches": [
            {"taskId": m["task_id"], "confidence": m["confidence"], "reason": m["reason"]}
            for m in matches
        ],
        "needsReview": row["needs_review"],
    }


def submission_created(submission: Submission, activities: list[dict[str, Any]]) -> dict[str, Any]:
    """`SubmissionOutput` of a submission just stored, from its instance (its matches
    held or prefetched) and its activities as stored: no query, no activity instances."""
    matches = [
        {"task_id": m.task_id, "confidence": m.confidence, "reason": m.reason}
        for m in submission.matches.all()
    ]
    row = {name: getattr(submission, name) for name in SUBMISSION_FIELDS}
    return submission_data(row, activities, matches)


def submission_detail(submission_id: UUID) -> dict[str, Any]:
    (submission,) = submission_list(Submission.objects.filter(pk=submission_id))
    events = SubmissionEvent.objects.filter(submission_id=submission_id)
    history = events.order_by("created_at", "id").values()
    return {**submission, "history": [event_data(row) for row in history]}


def event_data(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": row["kind"],
        "actorId": row["actor_id"],
        "actorName": row["actor_name"],
        "fromStatus": row["from_status"],
        "toStatus": row["to_status"],
        "tasksBefore": row["tasks_before"],
        "tasksAfter": row["tasks_after"],
        "matcher": row["matcher"],
        "proposed": [
            {"taskId": p["taskId"], "confidence": float(p["confidence"])} for p in row["proposed"]
        ],
        "createdAt": iso(row["created_at"]),
    }
