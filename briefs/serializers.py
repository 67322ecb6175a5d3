"""The JSON contract of briefs and tasks (camelCase, as the spec shapes it)."""

from rest_framework import serializers

from accounts.models import Role
from briefs.models import Brief, Task
from drift.api import PageQuery, TimestampField


class TaskOutput(serializers.Serializer):
    id = serializers.UUIDField()
    briefId = serializers.UUIDField(source="brief_id")
    key = serializers.CharField(help_text="Short key people type in branches: `APP-3`.")
    role = serializers.ChoiceField(choices=Role.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Task.Status.choices)
    createdAt = TimestampField(source="created_at")


class BriefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    orgId = serializers.CharField(source="organization_id")
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Brief.Status.choices)
    createdBy = serializers.CharField(source="created_by_id", allow_null=True)
    createdAt = TimestampField(source="created_at")


class BriefDetailOutput(BriefOutput):
    tasks = TaskOutput(many=True, source="tasks.all")


class BriefListOutput(serializers.Serializer):
    briefs = BriefOutput(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()


class TaskListOutput(serializers.Serializer):
    tasks = TaskOutput(many=True)
    total = serializers.IntegerField()


class BriefListQuery(PageQuery):
    status = serializers.ChoiceField(choices=Brief.Status.choices, required=False)


class TaskListQuery(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)


class BriefCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Brief.Status.choices, default=Brief.Status.PLANNING)


class BriefUpdateInput(BriefCreateInput):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, partial=True, **kwargs)


class TaskCreateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Task.Status.choices, default=Task.Status.TODO)


class TaskUpdateInput(TaskCreateInput):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, partial=True, **kwargs)


class TaskStatusCounts(serializers.Serializer):
    todo = serializers.IntegerField()
    inProgress = serializers.IntegerField()
    done = serializers.IntegerField()


class RoleProgress(TaskStatusCounts):
    role = serializers.ChoiceField(choices=Role.choices)
    total = serializers.IntegerField()


class TaskProgress(serializers.Serializer):
    total = serializers.IntegerField()
    byStatus = TaskStatusCounts()
    byRole = RoleProgress(many=True)
    percentDone = serializers.IntegerField(min_value=0, max_value=100)


class WorkFigures(serializers.Serializer):
    """Submitted work counted for one task or one person."""

    minutes = serializers.IntegerField(help_text="Minutes of submissions not rejected.")
    approvedMinutes = serializers.IntegerField()
    submissions = serializers.IntegerField()


class TaskMinutes(WorkFigures):
    taskId = serializers.UUIDField()
    key = serializers.CharField()
    title = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=Task.Status.choices)


class PersonMinutes(WorkFigures):
    userId = serializers.CharField()
    userName = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class SubmissionCounts(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    needsReview = serializers.IntegerField(help_text="Pending submissions flagged for a PM.")


class ConfidenceBucket(serializers.Serializer):
    to = serializers.FloatField()
    count = serializers.IntegerField()

    def get_fields(self) -> dict:
        # `from` is a Python keyword: declare it by name.
        return {"from": serializers.FloatField(), **super().get_fields()}


class MatchConfidence(serializers.Serializer):
    average = serializers.FloatField(allow_null=True)
    matches = serializers.IntegerField()
    low = serializers.IntegerField(help_text="Matches below `lowThreshold`.")
    lowThreshold = serializers.FloatField()
    buckets = ConfidenceBucket(many=True)


class BriefMetricsOutput(serializers.Serializer):
    briefId = serializers.UUIDField()
    tasks = TaskProgress()
    minutesByTask = TaskMinutes(many=True)
    minutesByPerson = PersonMinutes(many=True)
    submissions = SubmissionCounts()
    approvalRate = serializers.FloatField(
        allow_null=True, help_text="Approved / (approved + rejected); null before any decision."
    )
    matchConfidence = MatchConfidence()
