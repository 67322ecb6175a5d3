"""The JSON contract of submissions (camelCase, as the spec shapes it)."""

import re
from typing import Any

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


_SURROGATE = re.compile("[\ud800-\udfff]")
_INVALID = object()


def _plain_value(field: serializers.Field, value: Any) -> Any:
    """What `field` makes of a plain JSON string or integer it accepts as it is, else
    `_INVALID` (which includes "not sure": the field itself will decide)."""
    if isinstance(field, serializers.CharField) and type(value) is str:
        text = value.strip() if field.trim_whitespace else value
        if not text:
            return "" if field.allow_blank else _INVALID
        too_long = field.max_length is not None and len(text) > field.max_length
        too_short = field.min_length is not None and len(text) < field.min_length
        if too_long or too_short or "\x00" in text or _SURROGATE.search(text):
            return _INVALID
        return text
    if isinstance(field, serializers.IntegerField) and type(value) is int:
        too_small = field.min_value is not None and value < field.min_value
        too_big = field.max_value is not None and value > field.max_value
        return _INVALID if too_small or too_big else value
    return _INVALID


def _plain_item(item: Any, fields: dict[str, serializers.Field]) -> Any:
    if type(item) is not dict:
        return _INVALID
    internal = {}
    for name, field in fields.items():
        if name not in item and not field.required:
            internal[field.source] = field.get_default()
            continue
        internal[field.source] = _plain_value(field, item.get(name))
        if internal[field.source] is _INVALID:
            return _INVALID
    return internal


class PlainListInput(serializers.ListSerializer):
    """A long list of flat items of string and integer fields (a session's 1000
    activities): when every item is plain and valid it is checked directly, as the
    child's fields would check it, at a fraction of the cost; any other list goes
    through the child serializer, which reports the errors. (Validators of a field's
    own, beyond its length and range, would be skipped: the child must have none.)"""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if type(data) is list and self._length_ok(len(data)):
            fields = dict(self.child.fields)
            items = [_plain_item(item, fields) for item in data]
            if _INVALID not in items:
                return items
        return super().to_internal_value(data)

    def _length_ok(self, length: int) -> bool:
        return (
            bool(length or self.allow_empty)
            and (self.max_length is None or length <= self.max_length)
            and (self.min_length is None or length >= self.min_length)
        )


class ActivityInput(serializers.Serializer):
    app = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=1000, allow_blank=True)
    summary = serializers.CharField(max_length=4000, allow_blank=True, default="")
    duration = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES, help_text="Minutes.")
    timestamp = serializers.IntegerField(
        min_value=0, max_value=MAX_TIMESTAMP_MS, help_text="Unix time in milliseconds."
    )

    class Meta:
        list_serializer_class = PlainListInput


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
