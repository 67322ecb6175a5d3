"""A brief's progress in figures, for `GET /api/briefs/{id}/metrics` and its admin page.

Five queries whatever the size of the brief: every figure is an aggregate computed
by the database. Minutes count submissions that are not rejected; a session matched
to two tasks counts toward both.
"""

from typing import Any

from django.db.models import Avg, Count, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Role
from briefs.models import Brief, Task
from submissions.models import Submission, SubmissionMatch

LOW_CONFIDENCE = 0.5
CONFIDENCE_BUCKETS = [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.0)]
STATUS_KEYS = {
    Task.Status.TODO: "todo",
    Task.Status.IN_PROGRESS: "inProgress",
    Task.Status.DONE: "done",
}
NOT_REJECTED = ~Q(status=Submission.Status.REJECTED)


def brief_metrics(brief: Brief) -> dict[str, Any]:
    """Tasks by role and status, minutes per task and per person, approval rate and
    match confidence of one brief."""
    submissions = submission_counts(brief)
    decided = submissions["approved"] + submissions["rejected"]
    return {
        "briefId": str(brief.pk),
        "tasks": task_counts(brief),
        "minutesByTask": minutes_by_task(brief),
        "minutesByPerson": minutes_by_person(brief),
        "submissions": submissions,
        "approvalRate": round(submissions["approved"] / decided, 4) if decided else None,
        "matchConfidence": match_confidence(brief),
    }


def _zero() -> dict[str, int]:
    return {key: 0 for key in STATUS_KEYS.values()}


def task_counts(brief: Brief) -> dict[str, Any]:
    rows = Task.objects.filter(brief=brief).values("role", "status").annotate(n=Count("id"))
    by_role = {role: _zero() for role in Role.values}
    by_status = _zero()
    for row in rows.order_by():
        by_role[row["role"]][STATUS_KEYS[row["status"]]] += row["n"]
        by_status[STATUS_KEYS[row["status"]]] += row["n"]
    total = sum(by_status.values())
    return {
        "total": total,
        "byStatus": by_status,
        "byRole": [
            {"role": role, "total": sum(counts.values()), **counts}
            for role, counts in by_role.items()
        ],
        "percentDone": round(100 * by_status["done"] / total) if total else 0,
    }


def minutes_by_task(brief: Brief) -> list[dict[str, Any]]:
    counted = ~Q(submission_matches__submission__status=Submission.Status.REJECTED)
    approved = Q(submission_matches__submission__status=Submission.Status.APPROVED)
    minutes = "submission_matches__submission__duration"
    rows = (
        Task.objects.filter(brief=brief)
        .annotate(
            minutes=Coalesce(Sum(minutes, filter=counted), Value(0), output_field=IntegerField()),
            approved_minutes=Coalesce(
                Sum(minutes, filter=approved), Value(0), output_field=IntegerField()
            ),
            submission_count=Count("submission_matches", filter=counted),
        )
        .order_by("number")
        .values(
            "id",
            "key",
            "title",
            "role",
            "status",
            "minutes",
            "approved_minutes",
            "submission_count",
        )
    )
    return [
        {
            "taskId": str(row["id"]),
            "key": row["key"],
            "title": row["title"],
            "role": row["role"],
            "status": row["status"],
            "minutes": row["minutes"],
            "approvedMinutes": row["approved_minutes"],
            "submissions": row["submission_count"],
        }
        for row in rows
    ]


def minutes_by_person(brief: Brief) -> list[dict[str, Any]]:
    approved = Q(status=Submission.Status.APPROVED)
    rows = (
        Submission.objects.filter(brief=brief)
        .values("user_id")
        .annotate(
            user_name=Max("user_name"),
            role=Max("role"),
            minutes=Coalesce(Sum("duration", filter=NOT_REJECTED), Value(0)),
            approved_minutes=Coalesce(Sum("duration", filter=approved), Value(0)),
            submission_count=Count("id"),
        )
        .order_by("-minutes", "user_name")
    )
    return [
        {
            "userId": row["user_id"],
            "userName": row["user_name"],
            "role": row["role"],
            "minutes": row["minutes"],
            "approvedMinutes": row["approved_minutes"],
            "submissions": row["submission_count"],
        }
        for row in rows
    ]


def submission_counts(brief: Brief) -> dict[str, int]:
    status = Submission.Status
    return Submission.objects.filter(brief=brief).aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(status=status.PENDING)),
        approved=Count("id", filter=Q(status=status.APPROVED)),
        rejected=Count("id", filter=Q(status=status.REJECTED)),
        needsReview=Count("id", filter=Q(status=status.PENDING, needs_review=True)),
    )


def match_confidence(brief: Brief) -> dict[str, Any]:
    buckets = {
        f"b{i}": Count("id", filter=Q(confidence__gte=low, confidence__lt=high))
        if high < 1
        else Count("id", filter=Q(confidence__gte=low))
        for i, (low, high) in enumerate(CONFIDENCE_BUCKETS)
    }
    row = SubmissionMatch.objects.filter(submission__brief=brief).aggregate(
        average=Avg("confidence"),
        matches=Count("id"),
        low=Count("id", filter=Q(confidence__lt=LOW_CONFIDENCE)),
        **buckets,
    )
    average = row["average"]
    return {
        "average": round(average, 4) if average is not None else None,
        "matches": row["matches"],
        "low": row["low"],
        "lowThreshold": LOW_CONFIDENCE,
        "buckets": [
            {"from": low, "to": high, "count": row[f"b{i}"]}
            for i, (low, high) in enumerate(CONFIDENCE_BUCKETS)
        ],
    }
