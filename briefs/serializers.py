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
