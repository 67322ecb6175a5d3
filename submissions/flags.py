"""What in the review queue deserves a second look, as annotations: one query for a page.

- `flag_overlap`: one person's activities overlap in time with an activity of another
  of their (not rejected) submissions: the same minutes claimed twice.
- `flag_shared_task`: another person's (not rejected) submission claims a task this
  one is matched to.
- `flag_unmatched`: matching finished and found no task.
- `flag_low_confidence`: the best match is below `LOW_CONFIDENCE`.
"""

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from briefs.metrics import LOW_CONFIDENCE
from submissions.models import Activity, Submission, SubmissionMatch, SubmissionQuerySet

FLAGS = ["flag_overlap", "flag_shared_task", "flag_unmatched", "flag_low_confidence"]
REJECTED = Submission.Status.REJECTED


def _activity_end() -> ExpressionWrapper:
    return ExpressionWrapper(F("timestamp") + F("duration") * 60_000, BigIntegerField())


def overlap() -> Exists:
    others = (
        Activity.objects.annotate(end=_activity_end())
        .filter(submission__user_id=OuterRef(OuterRef("user_id")))
        .exclude(submission_id=OuterRef(OuterRef("pk")))
        .exclude(submission__status=REJECTED)
        .filter(timestamp__lt=OuterRef("end"), end__gt=OuterRef("timestamp"))
    )
    own = Activity.objects.annotate(end=_activity_end()).filter(submission_id=OuterRef("pk"))
    return Exists(own.filter(Exists(others)))


def shared_task() -> Exists:
    others = (
        SubmissionMatch.objects.filter(task_id=OuterRef("task_id"))
        .exclude(submission__user_id=OuterRef(OuterRef("user_id")))
        .exclude(submission__status=REJECTED)
    )
    return Exists(
        SubmissionMatch.objects.filter(submission_id=OuterRef("pk")).filter(Exists(others))
    )


def best_confidence() -> Subquery:
    best = SubmissionMatch.objects.filter(submission_id=OuterRef("pk")).order_by("-confidence")
    return Subquery(best.values("confidence")[:1])


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def with_flags(queryset: SubmissionQuerySet) -> SubmissionQuerySet:
    """Annotate `best_confidence`, each flag of `FLAGS` and `flag_count`."""
    queryset = queryset.annotate(
        best_confidence=best_confidence(),
        has_match=Exists(SubmissionMatch.objects.filter(submission_id=OuterRef("pk"))),
        flag_overlap=overlap(),
        flag_shared_task=shared_task(),
    )
    queryset = queryset.annotate(
        flag_unmatched=_flag(Q(has_match=False) & ~Q(match_status=Submission.MatchStatus.PENDING)),
        flag_low_confidence=_flag(Q(best_confidence__lt=LOW_CONFIDENCE)),
    )
    count = sum(
        (Case(When(**{f: True}, then=Value(1)), default=Value(0)) for f in FLAGS),
        start=Value(0),
    )
    return queryset.annotate(flag_count=ExpressionWrapper(count, IntegerField()))
