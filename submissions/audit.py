"""The audit trail of a submission: services call `record()` inside their transaction."""

from collections.abc import Iterable
from typing import Any

from accounts.models import User
from submissions.models import Submission, SubmissionEvent, SubmissionMatch


def matched_task_ids(submission: Submission) -> list[str]:
    """The submission's matched task ids, best first, as stored right now."""
    return [str(pk) for pk in submission.matches.values_list("task_id", flat=True)]


def proposal(matches: Iterable[Any]) -> list[dict[str, Any]]:
    """What a matcher proposed: `[{"taskId", "confidence"}]` from Match or SubmissionMatch rows."""
    return [{"taskId": str(m.task_id), "confidence": round(m.confidence, 4)} for m in matches]


def last_proposal(
    submission: Submission, matches: list[SubmissionMatch] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The matcher and proposal behind the current matches (`matches`, when the caller
    has them): the latest matcher run."""
    event = (
        SubmissionEvent.objects.filter(submission=submission, kind=SubmissionEvent.Kind.MATCHED)
        .order_by("-created_at", "-id")
        .first()
    )
    if event is not None:
        return event.matcher, event.proposed
    if matches is None:
        matches = list(SubmissionMatch.objects.filter(submission=submission))
    return submission.matcher, proposal(matches)


def record(
    *,
    submission: Submission,
    kind: str,
    actor: User | None,
    from_status: str,
    tasks_before: list[str],
    tasks_after: list[str],
    matcher: str = "",
    proposed: list[dict[str, Any]] | None = None,
) -> SubmissionEvent:
    """Append one entry to the submission's history (in the caller's transaction)."""
    if proposed is None:
        matcher, proposed = last_proposal(submission)
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        actor=actor if actor is not None and not actor._state.adding else None,
        actor_name=(actor.name or actor.username or actor.pk) if actor is not None else "",
        from_status=from_status,
        to_status=submission.status,
        tasks_before=tasks_before,
        tasks_after=tasks_after,
        matcher=matcher,
        proposed=proposed,
    )
