"""Brief and task endpoints: validate, call a service, serialize."""

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import org_id_of, require_org
from briefs import representations, services
from briefs.metrics import brief_metrics
from briefs.models import Brief, Task
from briefs.representations import BRIEF_STAMPS, brief_etag, brief_stamp, task_etag, task_stamp
from briefs.serializers import (
    BriefCreateInput,
    BriefDetailOutput,
    BriefListOutput,
    BriefListQuery,
    BriefMetricsOutput,
    BriefUpdateInput,
    TaskCreateInput,
    TaskListOutput,
    TaskListQuery,
    TaskOutput,
    TaskUpdateInput,
)
from drift.api import IF_MATCH, errors, page, validated, validated_query
from drift.conditional import precondition, tagged
from drift.representations import represented


def brief_of(request: Request, pk: UUID) -> Brief:
    return get_object_or_404(Brief.objects.for_org(org_id_of(request)), pk=pk)


def created(data: dict, location: str) -> Response:
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


class BriefListView(APIView):
    @extend_schema(
        operation_id="briefs_list",
        parameters=[BriefListQuery],
        responses={200: BriefListOutput, **errors(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        query = validated_query(BriefListQuery, request)
        briefs = Brief.objects.for_org(org_id_of(request))
        if "status" in query:
            briefs = briefs.filter(status=query["status"])
        return Response(
            page(
                briefs,
                key="briefs",
                query=query,
                render=representations.brief_page,
            )
        )

    @extend_schema(
        operation_id="briefs_create",
        request=BriefCreateInput,
        responses={201: BriefDetailOutput, **errors(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(BriefCreateInput, request.data)
        brief = services.brief_create(user=request.user, org_id=require_org(request), **data)
        return created(BriefDetailOutput(brief).data, reverse("brief-detail", args=[brief.pk]))


class BriefDetailView(APIView):
    stamp_mirror = BRIEF_STAMPS

    @extend_schema(
        operation_id="briefs_retrieve", responses={200: BriefDetailOutput, **errors(401, 404, 429)}
    )
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        etag = brief_etag(pk, brief_stamp(request, pk))
        return represented(request, etag, lambda: representations.brief_detail(pk))

    @extend_schema(
        operation_id="briefs_update",
        request=BriefUpdateInput,
        parameters=[IF_MATCH],
        responses={200: BriefDetailOutput, **errors(400, 401, 403, 404, 412, 429)},
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        brief = self.brief_with_tasks(request, pk)
        changes = validated(BriefUpdateInput, request.data)
        version = precondition(request, lambda: brief_etag(brief.pk, brief.stamp), brief.version)
        brief = services.brief_update(
            brief=brief, user=request.user, changes=changes, expected_version=version
        )
        return tagged(BriefDetailOutput(brief).data, brief_etag(brief.pk, brief.stamp))

    @staticmethod
    def brief_with_tasks(request: Request, pk: UUID) -> Brief:
        return get_object_or_404(
            Brief.objects.for_org(org_id_of(request)).prefetch_related("tasks"), pk=pk
        )

    @extend_schema(
        operation_id="briefs_destroy", responses={204: None, **errors(401, 403, 404, 429)}
    )
    def delete(self, request: Request, pk: UUID) -> Response:
        services.brief_delete(brief=brief_of(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BriefTaskListView(APIView):
    stamp_mirror = BRIEF_STAMPS

    @extend_schema(
        operation_id="briefs_tasks_list",
        parameters=[TaskListQuery],
        responses={200: TaskListOutput, **errors(400, 401, 404, 429)},
    )
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        query = validated_query(TaskListQuery, request)
        stamp = brief_stamp(request, pk)
        etag = brief_etag(pk, stamp, "tasks", sorted(query.items()))
        return represented(request, etag, lambda: representations.task_list(pk, query))

    @extend_schema(
        operation_id="briefs_tasks_create",
        request=TaskCreateInput,
        responses={201: TaskOutput, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request: Request, pk: UUID) -> Response:
        brief = brief_of(request, pk)
        data = validated(TaskCreateInput, request.data)
        task = services.task_create(brief=brief, user=request.user, **data)
        return created(TaskOutput(task).data, reverse("task-detail", args=[task.pk]))


class TaskDetailView(APIView):
    def task_of(self, request: Request, pk: UUID) -> Task:
        return get_object_or_404(
            Task.objects.for_org(org_id_of(request)).select_related("brief"), pk=pk
        )

    @extend_schema(
        operation_id="tasks_retrieve", responses={200: TaskOutput, **errors(401, 404, 429)}
    )
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        etag = task_etag(pk, task_stamp(org_id_of(request), pk))
        return represented(request, etag, lambda: representations.task_detail(pk))

    @extend_schema(
        operation_id="tasks_update",
        request=TaskUpdateInput,
        parameters=[IF_MATCH],
        responses={200: TaskOutput, **errors(400, 401, 403, 404, 412, 429)},
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        task = self.task_of(request, pk)
        changes = validated(TaskUpdateInput, request.data)
        version = precondition(request, lambda: task_etag(task.pk, task.version), task.version)
        task = services.task_update(
            task=task, user=request.user, changes=changes, expected_version=version
        )
        return tagged(TaskOutput(task).data, task_etag(task.pk, task.version))

    @extend_schema(
        operation_id="tasks_destroy", responses={204: None, **errors(401, 403, 404, 429)}
    )
    def delete(self, request: Request, pk: UUID) -> Response:
        services.task_delete(task=self.task_of(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BriefMetricsView(APIView):
    stamp_mirror = BRIEF_STAMPS

    @extend_schema(
        operation_id="briefs_metrics",
        responses={200: BriefMetricsOutput, **errors(401, 404, 429)},
        description="The brief's progress: tasks by role and status, minutes submitted per "
        "task and per person (rejected work excluded), approval rate and match confidence. "
        "A constant number of queries, whatever the brief's size.",
    )
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        etag = brief_etag(pk, brief_stamp(request, pk), "metrics")
        return represented(
            request, etag, lambda: BriefMetricsOutput(brief_metrics(Brief.objects.get(pk=pk))).data
        )
