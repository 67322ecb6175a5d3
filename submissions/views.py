"""Submission endpoints: validate, call a service, serialize."""

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import org_id_of
from briefs.representations import BRIEF_STAMPS, brief_etag, brief_stamp
from drift.api import IF_MATCH, errors, page, validated, validated_query
from drift.conditional import precondition
from drift.representations import represented
from submissions import idempotency, representations, services
from submissions.models import IdempotencyKey, Submission
from submissions.representations import submission_etag, submission_stamp
from submissions.serializers import (
    SubmissionCreateInput,
    SubmissionDetailOutput,
    SubmissionListOutput,
    SubmissionListQuery,
    SubmissionOutput,
    SubmissionReviewInput,
    SubmissionReviewOutput,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Retries with the same key and body replay the first response (24 h); "
    "another body is 422, a retry while the first is in progress 409.",
)


class SubmissionCreateView(APIView):
    throttle_scopes = {"POST": "submissions:create"}

    @extend_schema(
        operation_id="submissions_create",
        request=SubmissionCreateInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SubmissionOutput, **errors(400, 401, 403, 404, 409, 413, 422, 429)},
        description="Store a work session, then match it to the brief's tasks. `matchedTasks` "
        "holds the result when matching finishes within `DRIFT_MATCH_WAIT_MS`; otherwise "
        "`matchStatus` is `pending` and a `submission:updated` event brings the result. "
        "With an `Idempotency-Key`, a retry replays the first response (24 h).",
    )
    def post(self, request: Request) -> Response:
        data = validated(SubmissionCreateInput, request.data)
        key = request.headers.get(idempotency.HEADER)
        with idempotency.idempotency_guard(user=request.user, key=key, data=request.data) as claim:
            if claim.replay is not None:
                return self.replay(claim.replay)
            submitted = services.submission_create(
                user=request.user, org_id=org_id_of(request), idempotency_key=claim.record, **data
            )
        submission = services.submission_await_match(submission=submitted.submission)
        body = representations.submission_created(submission, submitted.activities)
        claim.remember(body)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("submission-detail", args=[submission.pk])},
        )

    @staticmethod
    def replay(record: IdempotencyKey) -> Response:
        """The first response again: its body when kept, else the submission as it is now."""
        body = record.response
        if body is None:
            submission = Submission.objects.with_details().get(pk=record.submission_id)
            body = SubmissionOutput(submission).data
        location = reverse("submission-detail", args=[record.submission_id])
        headers = {"Location": location, "Idempotent-Replayed": "true"}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class SubmissionDetailView(APIView):
    throttle_scopes = {"GET": "api:read", "HEAD": "api:read", "PATCH": "submissions:update"}

    @extend_schema(
        operation_id="submissions_retrieve",
        responses={200: SubmissionDetailOutput, **errors(401, 404, 429)},
    )
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        etag = self.etag(request, pk)
        return represented(request, etag, lambda: representations.submission_detail(pk))

    @extend_schema(
        operation_id="submissions_review",
        request=SubmissionReviewInput,
        parameters=[IF_MATCH],
        responses={200: SubmissionReviewOutput, **errors(400, 401, 403, 404, 409, 412, 429)},
        description="Approve or reject (PM or the brief's creator). Approval marks the "
        "matched tasks done in the same transaction.",
    )
    def patch(self, request: Request, pk: UUID) -> Response:
        current = get_object_or_404(Submission.objects.for_org(org_id_of(request)), pk=pk)
        data = validated(SubmissionReviewInput, request.data)
        version = precondition(request, lambda: self.etag(request, pk), current.version)
        submission = services.submission_review(
            submission_id=pk, user=request.user, expected_version=version, **data
        )
        return Response(SubmissionReviewOutput(submission).data)

    @staticmethod
    def etag(request: Request, pk: UUID) -> str | None:
        return submission_etag(pk, submission_stamp(org_id_of(request), pk))


class BriefSubmissionListView(APIView):
    stamp_mirror = BRIEF_STAMPS

    @extend_schema(
        operation_id="briefs_submissions_list",
        parameters=[SubmissionListQuery],
        responses={200: SubmissionListOutput, **errors(400, 401, 404, 429)},
    )
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        query = validated_query(SubmissionListQuery, request)
        stamp = brief_stamp(request, pk)
        etag = brief_etag(pk, stamp, "submissions", sorted(query.items()))
        filters = {k: query[k] for k in ("status", "user_id") if k in query}
        submissions = Submission.objects.filter(brief_id=pk, **filters)
        return represented(
            request,
            etag,
            lambda: page(
                submissions, key="submissions", query=query, render=representations.submission_list
            ),
        )
