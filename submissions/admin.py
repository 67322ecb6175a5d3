"""The review queue: PMs approve, reject, edit matches and re-match through the same
services as the API, so the transaction, task changes, events and audit are the same."""

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from rest_framework.exceptions import APIException

from briefs.models import Task
from drift.admin_site import OrgScopedAdmin
from submissions import services
from submissions.flags import with_flags
from submissions.models import LlmUsage, Submission, SubmissionMatch

Status = Submission.Status
DECISIONS = {"_approve": Status.APPROVED, "_reject": Status.REJECTED}
REVIEW_ERRORS = (APIException, PermissionDenied)


class StatusFilter(admin.SimpleListFilter):
    """Status, opening on pending: the queue is what is left to decide."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*Status.choices, ("all", "All")]

    def value(self) -> str:
        return super().value() or Status.PENDING

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class FlagFilter(admin.SimpleListFilter):
    title = "second look"
    parameter_name = "flag"
    FLAGS = {
        "any": ("Any flag", {"flag_count__gt": 0}),
        "overlap": ("Overlapping times", {"flag_overlap": True}),
        "shared_task": ("Task claimed by another person", {"flag_shared_task": True}),
        "unmatched": ("Matched to no task", {"flag_unmatched": True}),
        "low_confidence": ("Low confidence", {"flag_low_confidence": True}),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, title) for key, (title, _) in self.FLAGS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in self.FLAGS:
            return queryset.filter(**self.FLAGS[self.value()][1])
        return queryset


def flag_column(flag: str, description: str) -> Any:
    """A queue column showing one of `submissions.flags.FLAGS`, flagged rows first when sorted."""

    @admin.display(description=description, boolean=True, ordering=f"-{flag}")
    def column(model_admin: Any, obj: Submission) -> bool:
        return getattr(obj, flag)

    return column


class SubmissionReviewForm(forms.ModelForm):
    matched_tasks = forms.ModelMultipleChoiceField(
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only tasks of this submission's brief. Approval marks them done.",
    )

    # The version the PM saw: a decision on a page that went stale (another PM, or a
    # re-match, changed the submission since) is refused rather than applied blind.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Submission
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["matched_tasks"]
        field.queryset = Task.objects.filter(brief_id=self.instance.brief_id)
        field.label_from_instance = lambda t: f"{t.key} {t.title} ({t.role}, {t.status})"
        field.initial = list(self.instance.matches.values_list("task_id", flat=True))
        field.disabled = self.instance.status != Status.PENDING
        self.fields["seen_version"].initial = self.instance.version


@admin.register(Submission)
class SubmissionAdmin(OrgScopedAdmin):
    org_field = "brief__organization_id"
    form = SubmissionReviewForm
    change_form_template = "admin/submissions/submission/change_form.html"
    list_display = [
        "created_at",
        "user_name",
        "brief",
        "duration",
        "first_line",
        "matched",
        "best_confidence",
        "needs_review",
        "overlap",
        "shared_task",
        "unmatched",
        "low_confidence",
    ]
    list_display_links = ["created_at", "user_name"]
    list_filter = [
        StatusFilter,
        ("brief", admin.RelatedOnlyFieldListFilter),
        "role",
        ("user", admin.RelatedOnlyFieldListFilter),
        "needs_review",
        "match_status",
        FlagFilter,
    ]
    search_fields = ["summary", "user_name"]
    ordering = ["-created_at"]
    list_select_related = ["brief"]
    list_per_page = 50
    actions = ["approve", "reject", "rematch"]
    readonly_fields = [
        "user_name",
        "brief",
        "role",
        "duration",
        "status",
        "match_status",
        "matcher",
        "needs_review",
        "created_at",
        "summary_bullets",
        "match_table",
        "timeline",
        "snippet_texts",
        "history_table",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("user_name", "role", "brief"),
                    ("duration", "created_at"),
                    ("status", "match_status", "matcher", "needs_review"),
                ]
            },
        ),
        ("Summary", {"fields": ["summary_bullets"]}),
        ("Matched tasks", {"fields": ["match_table", "matched_tasks", "seen_version"]}),
        ("Activity timeline", {"fields": ["timeline"]}),
        ("Snippets (secrets redacted)", {"fields": ["snippet_texts"]}),
        ("History", {"fields": ["history_table"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        matches = SubmissionMatch.objects.select_related("task")
        queryset = super().get_queryset(request).prefetch_related(Prefetch("matches", matches))
        return with_flags(queryset)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # The queue's columns.

    @admin.display(description="summary")
    def first_line(self, obj: Submission) -> str:
        return (obj.summary[0] if obj.summary else "")[:90]

    @admin.display(description="matched tasks")
    def matched(self, obj: Submission) -> str:
        return ", ".join(m.task.key for m in obj.matches.all()) or "-"

    @admin.display(description="best conf.", ordering="best_confidence")
    def best_confidence(self, obj: Submission) -> str:
        return "-" if obj.best_confidence is None else f"{obj.best_confidence:.2f}"

    overlap = flag_column("flag_overlap", "overlap")
    shared_task = flag_column("flag_shared_task", "shared task")
    unmatched = flag_column("flag_unmatched", "no task")
    low_confidence = flag_column("flag_low_confidence", "low conf.")

    # The submission's page.

    @admin.display(description="summary")
    def summary_bullets(self, obj: Submission) -> SafeString:
        items = format_html_join("", "<li>{}</li>", ((line,) for line in obj.summary))
        return format_html('<ul class="drift-bullets">{}</ul>', items)

    @admin.display(description="matcher's proposal and reasons")
    def match_table(self, obj: Submission) -> SafeString:
        rows = [
            (m.task.key, m.task.title, f"{m.confidence:.2f}", m.reason) for m in obj.matches.all()
        ]
        return _table(["task", "title", "confidence", "reason"], rows, "No matched task.")

    @admin.display(description="activities")
    def timeline(self, obj: Submission) -> SafeString:
        rows = [
            (_time(a.timestamp), a.app, a.title, a.duration)
            for a in obj.activities.all().order_by("timestamp", "position")
        ]
        return _table(["time (UTC)", "app", "window title", "minutes"], rows, "No activity.")

    @admin.display(description="snippets")
    def snippet_texts(self, obj: Submission) -> SafeString:
        items = format_html_join(
            "",
            '<div class="drift-snippet"><strong>{}</strong><pre>{}</pre></div>',
            ((s.context, s.text) for s in obj.snippets.all()),
        )
        return items or format_html("<p>{}</p>", "No snippet.")

    @admin.display(description="audit trail")
    def history_table(self, obj: Submission) -> SafeString:
        keys = {str(t.pk): t.key for t in Task.objects.filter(brief_id=obj.brief_id)}

        def names(ids: list[str]) -> str:
            return ", ".join(keys.get(pk, "(deleted)") for pk in ids) or "-"

        def proposed(event: Any) -> str:
            parts = [f"{keys.get(p['taskId'], '?')} {p['confidence']:.2f}" for p in event.proposed]
            return f"{event.matcher or '-'}: {', '.join(parts) or 'nothing'}"

        rows = [
            (
                e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                e.get_kind_display(),
                e.actor_name or "matcher",
                f"{e.from_status} → {e.to_status}",
                f"{names(e.tasks_before)} → {names(e.tasks_after)}",
                proposed(e),
            )
            for e in obj.history.all()
        ]
        headers = ["when", "what", "who", "status", "tasks", "matcher proposed"]
        return _table(headers, rows, "Nothing recorded yet.")

    # Decisions: the buttons of the submission's page, and the bulk actions.

    def save_model(self, request: HttpRequest, obj: Submission, form: Any, change: bool) -> None:
        decision = next((s for key, s in DECISIONS.items() if key in request.POST), None)
        tasks = form.cleaned_data.get("matched_tasks")
        edited = "matched_tasks" in form.changed_data
        try:
            if "_rematch" in request.POST:
                services.submission_requeue_match(submission_id=obj.pk, user=request.user)
            elif decision or edited:
                services.submission_review(
                    submission_id=obj.pk,
                    user=request.user,
                    status=decision,
                    matched_task_ids=[t.pk for t in tasks] if edited else None,
                    expected_version=form.cleaned_data.get("seen_version"),
                )
        except REVIEW_ERRORS as exc:
            request.drift_review_error = str(exc)

    def response_change(self, request: HttpRequest, obj: Submission) -> HttpResponse:
        error = getattr(request, "drift_review_error", None)
        if error:
            self.message_user(request, error, messages.ERROR)
            return HttpResponseRedirect(request.path)
        decision = next((s for key, s in DECISIONS.items() if key in request.POST), None)
        if decision:
            self.message_user(request, f"{obj} {decision}.", messages.SUCCESS)
            return self.response_post_save_change(request, obj)
        if "_rematch" in request.POST:
            self.message_user(request, "Matching queued again.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _each(self, request: HttpRequest, queryset: QuerySet, call: Any, done: str) -> None:
        count = 0
        for submission in queryset:
            try:
                call(submission_id=submission.pk, user=request.user)
                count += 1
            except REVIEW_ERRORS as exc:
                self.message_user(request, f"{submission}: {exc}", messages.WARNING)
        self.message_user(request, f"{count} submission(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve selected submissions")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, _review(Status.APPROVED), Status.APPROVED)

    @admin.action(description="Reject selected submissions")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, _review(Status.REJECTED), Status.REJECTED)

    @admin.action(description="Re-match selected submissions")
    def rematch(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.submission_requeue_match, "queued for matching")


def _review(status: str) -> Any:
    def call(*, submission_id: Any, user: Any) -> None:
        services.submission_review(submission_id=submission_id, user=user, status=status)

    return call


def _time(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def _table(headers: list[str], rows: list[tuple[Any, ...]], empty: str) -> SafeString:
    """An HTML table of `rows` (escaped), or `empty` when there is none."""
    if not rows:
        return format_html("<p>{}</p>", empty)
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    cells = "<tr>" + "<td>{}</td>" * len(headers) + "</tr>"
    body = format_html_join("", cells, rows)
    return format_html(
        '<table class="drift-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
    )


@admin.register(LlmUsage)
class LlmUsageAdmin(OrgScopedAdmin):
    """Tokens the org's LLM matching used per month, as its server reported them: read
    only, counted by matching against `DRIFT_LLM_MONTHLY_TOKENS`."""

    list_display = ("month", "tokens", "organization")
    ordering = ("-month",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
