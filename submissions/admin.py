from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.exceptions import APIException

from submissions import services
from submissions.models import Activity, Snippet, Submission, SubmissionMatch


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["app", "title", "duration", "timestamp"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class SnippetInline(admin.TabularInline):
    model = Snippet
    fields = ["context", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class MatchInline(admin.TabularInline):
    model = SubmissionMatch
    fields = ["task", "confidence", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "user_name",
        "brief",
        "duration",
        "status",
        "match_status",
        "needs_review",
    ]
    list_filter = ["status", "match_status", "needs_review", "role", "brief"]
    search_fields = ["user_name", "summary"]
    list_select_related = ["brief"]
    readonly_fields = [
        "brief",
        "user",
        "user_name",
        "role",
        "summary",
        "duration",
        "status",
        "match_status",
        "matcher",
        "needs_review",
        "created_at",
        "updated_at",
    ]
    exclude = ["version"]
    inlines = [MatchInline, ActivityInline, SnippetInline]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _review(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        done = 0
        for submission in queryset:
            try:
                services.submission_review(
                    submission_id=submission.pk, user=request.user, status=status
                )
                done += 1
            except (APIException, PermissionDenied) as exc:
                self.message_user(request, f"{submission}: {exc}", messages.WARNING)
        self.message_user(request, f"{done} submission(s) {status}.", messages.SUCCESS)

    @admin.action(description="Approve selected submissions")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._review(request, queryset, Submission.Status.APPROVED)

    @admin.action(description="Reject selected submissions")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._review(request, queryset, Submission.Status.REJECTED)
