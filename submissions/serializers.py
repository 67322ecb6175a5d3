"""The JSON contract of submissions (camelCase, as the spec shapes it)."""

from rest_framework import serializers

from accounts.models import Role
from drift.api import PageQuery, TimestampField
from submissions.models import Snippet, Submission, SubmissionEvent

MAX_SUMMARY_LINES = 20
MAX_ACTIVITIES = 1000
MAX_SNIPPETS = 5
MAX_SNIPPET_CHARS = 500
MAX_MINUTES = 100_000
# 9999-12-31: anything later is no session, and would overflow a 64-bit column.
MAX_TIMESTAMP_MS = 253_402_300_799_999
REVIEW_DECISIONS = [Submission.Status.APPROVED, Submission.Status.REJECTED]


class ActivityInput(serializers.Serializer):
    app = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=1000, allow_blank=True)
    summary = serializers.CharField(max_length=4000, allow_blank=True, default="")
    duration = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES, help_text="Minutes.")
    timestamp = serializers.IntegerField(
        min_value=0, max_value=MAX_TIMESTAMP_MS, help_text="Unix time in milliseconds."
    )


class SnippetInput(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_SNIPPET_CHARS, trim_whitespace=False)
    context = serializers.ChoiceField(choices=Snippet.Context.choices)


class SubmissionCreateInput(serializers.Serializer):
    briefId = serializers.UUIDField(source="brief_id")
    userId = serializers.CharField(max_length=64, source="user_id")
    userName = serializers.CharField(max_length=200, source="user_name")
    role = serializers.ChoiceField(choices=Role.choices)
    summary = serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=MAX_SUMMARY_LINES
    )
    duration = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES, help_text="Minutes.")
    activities = ActivityInput(many=True, max_length=MAX_ACTIVITIES)
    snippets = SnippetInput(many=True, max_length=MAX_SNIPPETS, required=False, default=list)


class SubmissionReviewInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=REVIEW_DECISIONS, required=False)
    matchedTasks = serializers.ListField(
        child=serializers.UUIDField(),
        max_length=100,
        required=False,
        source="matched_task_ids",
        help_text="Replaces the matched tasks; all must be tasks of the submission's brief.",
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("Give a status, matchedTasks, or both.")
        return attrs


class ActivityOutput(serializers.Serializer):
    app = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    duration = serializers.IntegerField()
    timestamp = serializers.IntegerField()


class MatchOutput(serializers.Serializer):
    taskId = serializers.UUIDField(source="task_id")
    confidence = serializers.FloatField(min_value=0, max_value=1)
    reason = serializers.CharField()


class SubmissionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    briefId = serializers.UUIDField(source="brief_id")
    userId = serializers.CharField(source="user_id")
    userName = serializers.CharField(source="user_name")
    role = serializers.ChoiceField(choices=Role.choices)
    summary = serializers.ListField(child=serializers.CharField())
    duration = serializers.IntegerField()
    activities = ActivityOutput(many=True, source="activities.all")
    matchedTasks = serializers.ListField(child=serializers.UUIDField(), source="matched_task_ids")
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    createdAt = TimestampField(source="created_at")
    matchStatus = serializers.ChoiceField(
        choices=Submission.MatchStatus.choices, source="match_status"
    )
    matches = MatchOutput(many=True, source="matches.all")
    needsReview = serializers.BooleanField(source="needs_review")


class ProposalOutput(serializers.Serializer):
    taskId = serializers.UUIDField()
    confidence = serializers.FloatField(min_value=0, max_value=1)


class SubmissionEventOutput(serializers.Serializer):
    """One audit entry: a status change, a match edit or a matcher run."""

    kind = serializers.ChoiceField(choices=SubmissionEvent.Kind.choices)
    actorId = serializers.CharField(source="actor_id", allow_null=True)
    actorName = serializers.CharField(source="actor_name", help_text="Empty for the matcher.")
    fromStatus = serializers.ChoiceField(choices=Submission.Status.choices, source="from_status")
    toStatus = serializers.ChoiceField(choices=Submission.Status.choices, source="to_status")
    tasksBefore = serializers.ListField(child=serializers.UUIDField(), source="tasks_before")
    tasksAfter = serializers.ListField(child=serializers.UUIDField(), source="tasks_after")
    matcher = serializers.CharField(help_text="The matcher whose proposal was in force.")
    proposed = ProposalOutput(many=True, help_text="What that matcher proposed.")
    createdAt = TimestampField(source="created_at")


class SubmissionDetailOutput(SubmissionOutput):
    history = SubmissionEventOutput(
        many=True, source="history.all", help_text="Audit trail, oldest first."
    )


class SubmissionListOutput(serializers.Serializer):
    submissions = SubmissionOutput(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()


class SubmissionReviewOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    updatedAt = TimestampField(source="updated_at")


class SubmissionListQuery(PageQuery):
    status = serializers.ChoiceField(choices=Submission.Status.choices, required=False)
    userId = serializers.CharField(max_length=64, required=False, source="user_id")
