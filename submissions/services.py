"""Use cases for submissions: submit, match, review. Each write is one transaction,
and its events and Celery tasks go out only after it commits."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from rest_framework.exceptions import ValidationError

from accounts.models import User
from briefs.models import Brief, Task
from briefs.services import brief_touch, ensure_can_manage, tasks_set_status
from drift.conditional import save_versioned
from drift.errors import Conflict
from realtime import events
from submissions import audit
from submissions.idempotency import idempotency_bind
from submissions.matching import get_matcher
from submissions.matching.base import (
    ActivityDoc,
    Match,
    Matcher,
    MatchOutcome,
    SnippetDoc,
    TaskDoc,
    WorkDoc,
)
from submissions.matching.chat import openai_chat
from submissions.matching.llm import HybridMatcher, HybridOutcome
from submissions.models import (
    Activity,
    IdempotencyKey,
    LlmUsage,
    Snippet,
    Submission,
    SubmissionEvent,
    SubmissionMatch,
)
from submissions.outbox import broker_unavailable, enqueue_match
from submissions.profiles import brief_task_docs, task_profiles_rebuild
from submissions.redaction import redact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    """A submission just stored, with its activities as stored (secrets redacted), in
    the keys of its representation: what answering the POST needs, with no query."""

    submission: Submission
    activities: list[dict[str, Any]]


@transaction.atomic
def submission_create(
    *,
    user: User,
    org_id: str | None,
    brief_id: UUID,
    user_id: str,
    user_name: str,
    role: str,
    summary: list[str],
    duration: int,
    activities: list[dict[str, Any]],
    snippets: list[dict[str, Any]],
    idempotency_key: IdempotencyKey | None = None,
) -> "Submitted":
    """Store a work session with its activities and snippets, then queue its matching.

    `idempotency_key`, the request's claimed key, is bound to the new submission in
    this same transaction (`submissions.idempotency`)."""
    if user_id != user.pk:
        raise PermissionDenied("userId must be your own user id.")
    brief = Brief.objects.for_org(org_id).filter(pk=brief_id).first()
    if brief is None:
        raise Http404("Brief not found.")
    submission = Submission.objects.create(
        brief=brief,
        user=user,
        user_name=user_name,
        role=role,
        summary=[redact(line) for line in summary],
        duration=duration,
    )
    if idempotency_key is not None:
        idempotency_bind(record=idempotency_key, submission=submission)
    stored = [
        {
            "app": a["app"],
            "title": redact(a["title"]),
            "summary": redact(a["summary"]),
            "duration": a["duration"],
            "timestamp": a["timestamp"],
        }
        for a in activities
    ]
    Activity.objects.insert_all(submission.pk, stored)
    Snippet.objects.bulk_create(
        [
            Snippet(submission=submission, position=i, text=redact(s["text"]), context=s["context"])
            for i, s in enumerate(snippets)
        ]
    )
    brief_touch(brief_id=brief.pk)
    # The row is the outbox: when the broker is down, the sweeper queues it later.
    transaction.on_commit(partial(enqueue_match, str(submission.pk)))
    events.submission_new(
        org_id=brief.organization_id,
        payload={
            "submissionId": str(submission.pk),
            "briefId": str(brief.pk),
            "userId": user.pk,
            "userName": user_name,
        },
    )
    return Submitted(submission.hold(matches=[]), stored)


def submission_await_match(*, submission: Submission, timeout_ms: int | None = None) -> Submission:
    """Wait (bounded) for a just-created submission's matching to finish, then reload its
    outcome for output. Without a wait, or with the broker down (nothing is matching
    now), it is returned as it is, pending, without a query."""
    wait = (settings.MATCH_WAIT_MS if timeout_ms is None else timeout_ms) / 1000
    if wait <= 0 or broker_unavailable():
        return submission
    deadline = time.monotonic() + wait
    delay = 0.01
    pending = Submission.objects.filter(
        pk=submission.pk, match_status=Submission.MatchStatus.PENDING
    )
    while pending.exists() and time.monotonic() + delay < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    return Submission.objects.prefetch_related("matches").get(pk=submission.pk)


def work_doc(submission: Submission) -> WorkDoc:
    return WorkDoc(
        role=submission.role,
        summary=tuple(submission.summary),
        activities=tuple(
            ActivityDoc(app=a.app, title=a.title, summary=a.summary, duration=a.duration)
            for a in submission.activities.all()
        ),
        snippets=tuple(
            SnippetDoc(text=s.text, context=s.context) for s in submission.snippets.all()
        ),
    )


def task_docs(brief: Brief) -> list[TaskDoc]:
    """The brief's tasks as matchers see them, each with the work PMs approved for it and
    the representation built when it or its approvals last changed (`submissions.profiles`)."""
    return brief_task_docs(brief=brief)


def submission_match(*, submission_id: UUID) -> None:
    """Match a pending submission to its brief's tasks and store the outcome.

    Safe to run twice: the stored matches are replaced, not added to. A decided
    (approved or rejected) submission keeps what its reviewer approved.
    """
    submission = (
        Submission.objects.select_related("brief")
        .prefetch_related("activities", "snippets")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or submission.status != Submission.Status.PENDING:
        return
    submission_apply_match(submission_id=submission.pk, outcome=run_matcher(submission))


def run_matcher(submission: Submission, matcher_name: str | None = None) -> MatchOutcome | None:
    """The outcome of the configured matcher (or of `matcher_name`) for a submission loaded
    with its activities, snippets and brief tasks; None when the matcher fails. The LLM
    hybrid gets what is left of the org's monthly token budget, and the tokens it spends
    are counted."""
    org_id = submission.brief.organization_id
    matcher = _configured_matcher(org_id, matcher_name or settings.MATCHER)
    try:
        outcome = matcher.match(work_doc(submission), task_docs(submission.brief))
    except Exception:
        logger.exception("Matcher %s failed on submission %s", matcher.name, submission.pk)
        return None
    if isinstance(outcome, HybridOutcome) and outcome.tokens:
        LlmUsage.objects.charge(org_id, outcome.tokens)
    return outcome


def _configured_matcher(org_id: str, name: str) -> Matcher:
    if name != HybridMatcher.name:
        return get_matcher(name)
    chat = openai_chat(
        model=settings.LLM_MODEL,
        timeout=settings.LLM_TIMEOUT,
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
    )
    spent = LlmUsage.objects.spent(org_id)
    return HybridMatcher(chat, tokens_left=settings.LLM_MONTHLY_TOKENS - spent)


@transaction.atomic
def submission_apply_match(*, submission_id: UUID, outcome: MatchOutcome | None) -> None:
    """Store a matcher's outcome (None: the matcher failed) on a still-pending submission."""
    submission = _locked(submission_id)
    if submission is None or submission.status != Submission.Status.PENDING:
        return
    brief = submission.brief
    tasks_before = audit.matched_task_ids(submission)
    if outcome is None:
        submission.match_status = Submission.MatchStatus.FAILED
        submission.needs_review = True
        matches: list[Match] = []
    else:
        valid = {str(pk) for pk in brief.tasks.values_list("pk", flat=True)}
        matches = [m for m in outcome.matches if m.task_id in valid]
        submission.match_status = Submission.MatchStatus.MATCHED
        submission.matcher = outcome.matcher
        submission.needs_review = outcome.needs_review or not matches
    _replace_matches(submission, matches)
    submission.version += 1
    submission.save(
        update_fields=["match_status", "matcher", "needs_review", "version", "updated_at"]
    )
    task_ids = [m.task_id for m in matches]
    audit.record(
        submission=submission,
        kind=SubmissionEvent.Kind.MATCHED if outcome else SubmissionEvent.Kind.MATCH_FAILED,
        actor=None,
        from_status=submission.status,
        tasks_before=tasks_before,
        tasks_after=task_ids,
        matcher=outcome.matcher if outcome else "",
        proposed=audit.proposal(outcome.matches) if outcome else [],
    )
    tasks_set_status(
        brief=brief, task_ids=task_ids, status=Task.Status.IN_PROGRESS, only_from=Task.Status.TODO
    )
    brief_touch(brief_id=brief.pk)
    events.submission_updated(
        org_id=brief.organization_id,
        brief_id=str(brief.pk),
        payload={
            "submissionId": str(submission.pk),
            "status": submission.status,
            "matchedTasks": task_ids,
            "matchStatus": submission.match_status,
        },
    )


def _replace_matches(submission: Submission, matches: list[Match]) -> None:
    submission.matches.all().delete()
    SubmissionMatch.objects.bulk_create(
        SubmissionMatch(
            submission=submission,
            task_id=m.task_id,
            rank=rank,
            confidence=m.confidence,
            reason=m.reason,
        )
        for rank, m in enumerate(matches)
    )


@transaction.atomic
def submission_review(
    *,
    submission_id: UUID,
    user: User,
    status: str | None = None,
    matched_task_ids: list[UUID] | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Approve or reject a submission, optionally replacing its matched tasks.

    Approval marks the matched tasks done in this same transaction. A decided
    submission cannot be changed; repeating its decision is a no-op. With
    `expected_version` (from `If-Match`) the write is conditional: 412 when stale.
    """
    submission = _locked_or_404(submission_id)
    brief = submission.brief
    ensure_can_manage(brief=brief, user=user)
    if submission.status != Submission.Status.PENDING:
        if status == submission.status and matched_task_ids is None:
            return submission
        raise Conflict(f"This submission is already {submission.status}.")
    matches = list(submission.matches.all())
    from_status, tasks_before = submission.status, [str(m.task_id) for m in matches]
    matcher, proposed = audit.last_proposal(submission, matches)
    task_ids = tasks_before
    if matched_task_ids is not None:
        task_ids = _set_reviewed_matches(submission, matched_task_ids, matches, user)
    if status:
        submission.status = status
    submission.version += 1
    save_versioned(submission, ["status", "version", "updated_at"], if_version=expected_version)
    _record_review(submission, user, from_status, tasks_before, task_ids, (matcher, proposed))
    # Tasks last: announcing them locks the org's event stream until commit.
    if submission.status == Submission.Status.APPROVED:
        task_profiles_rebuild(task_ids=task_ids)
        tasks_set_status(brief=brief, task_ids=task_ids, status=Task.Status.DONE)
    elif submission.status == Submission.Status.PENDING:
        tasks_set_status(
            brief=brief,
            task_ids=task_ids,
            status=Task.Status.IN_PROGRESS,
            only_from=Task.Status.TODO,
        )
    brief_touch(brief_id=brief.pk)
    payload: events.SubmissionUpdatedPayload = {
        "submissionId": str(submission.pk),
        "status": submission.status,
    }
    if matched_task_ids is not None:
        payload["matchedTasks"] = task_ids
    events.submission_updated(org_id=brief.organization_id, brief_id=str(brief.pk), payload=payload)
    return submission


def _record_review(
    submission: Submission,
    user: User,
    from_status: str,
    tasks_before: list[str],
    tasks_after: list[str],
    proposal: tuple[str, list[dict[str, Any]]],
) -> None:
    if submission.status != from_status:
        kind = submission.status
    elif tasks_before != tasks_after:
        kind = SubmissionEvent.Kind.MATCHES_EDITED
    else:
        return
    audit.record(
        submission=submission,
        kind=kind,
        actor=user,
        from_status=from_status,
        tasks_before=tasks_before,
        tasks_after=tasks_after,
        matcher=proposal[0],
        proposed=proposal[1],
    )


def _locked(submission_id: UUID) -> Submission | None:
    """The submission with its brief, its row (not the brief's: other submissions of the
    brief are reviewed meanwhile) locked until commit."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("brief")
        .filter(pk=submission_id)
        .first()
    )


def _locked_or_404(submission_id: UUID) -> Submission:
    submission = _locked(submission_id)
    if submission is None:
        raise Http404("Submission not found.")
    return submission


def _set_reviewed_matches(
    submission: Submission, task_ids: list[UUID], matches: list[SubmissionMatch], user: User
) -> list[str]:
    """Replace the matches by the reviewer's `task_ids` (keeping the matcher's confidence
    where it proposed them); returns them."""
    wanted = list(dict.fromkeys(str(pk) for pk in task_ids))
    found = {
        str(pk)
        for pk in Task.objects.filter(brief_id=submission.brief_id, pk__in=wanted).values_list(
            "pk", flat=True
        )
    }
    for index, task_id in enumerate(wanted):
        if task_id not in found:
            raise ValidationError(
                {"matchedTasks": {index: [f"{task_id} is not a task of this submission's brief."]}}
            )
    proposed = {str(m.task_id): m for m in matches}
    reviewer = user.name or user.username or user.pk
    _replace_matches(
        submission,
        [
            Match(task_id=pk, confidence=proposed[pk].confidence, reason=proposed[pk].reason)
            if pk in proposed
            else Match(task_id=pk, confidence=1.0, reason=f"Chosen by {reviewer} in review.")
            for pk in wanted
        ],
    )
    return wanted


@transaction.atomic
def submission_requeue_match(*, submission_id: UUID, user: User) -> Submission:
    """Queue matching again for a pending submission (the admin's "re-match").

    Its matches stay until the new outcome replaces them; a decided submission
    keeps what its reviewer approved, so asking for it is a conflict.
    """
    submission = _locked_or_404(submission_id)
    brief = submission.brief
    ensure_can_manage(brief=brief, user=user)
    if submission.status != Submission.Status.PENDING:
        raise Conflict(f"This submission is already {submission.status}.")
    tasks = audit.matched_task_ids(submission)
    submission.match_status = Submission.MatchStatus.PENDING
    submission.version += 1
    submission.save(update_fields=["match_status", "version", "updated_at"])
    audit.record(
        submission=submission,
        kind=SubmissionEvent.Kind.REMATCH_QUEUED,
        actor=user,
        from_status=submission.status,
        tasks_before=tasks,
        tasks_after=tasks,
    )
    brief_touch(brief_id=brief.pk)
    # As for a new submission: the pending row is the outbox if the broker is down.
    transaction.on_commit(partial(enqueue_match, str(submission.pk)))
    events.submission_updated(
        org_id=brief.organization_id,
        brief_id=str(brief.pk),
        payload={
            "submissionId": str(submission.pk),
            "status": submission.status,
            "matchStatus": submission.match_status,
        },
    )
    return submission


@dataclass(frozen=True)
class Rematch:
    """What re-running the matcher did (or, on a dry run, would do) to one submission."""

    submission_id: UUID
    before: list[str]
    after: list[str]
    skipped: bool = False

    @property
    def changed(self) -> bool:
        return not self.skipped and self.before != self.after


def submission_rematch(
    *, submission_id: UUID, dry_run: bool = False, matcher: str | None = None
) -> Rematch:
    """Run the matcher (the configured one, or `matcher`) now on a pending submission and
    store its outcome when it differs from the stored one (unless `dry_run`).

    Decided (approved or rejected) submissions are skipped: they keep what their
    reviewer approved. Storing goes through `submission_apply_match`, so the tasks,
    `submission:updated` event and audit are those of any other matching; an outcome
    that changes nothing stores nothing and announces nothing.
    """
    submission = (
        Submission.objects.select_related("brief")
        .prefetch_related("activities", "snippets", "matches")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:  # deleted since it was chosen
        return Rematch(submission_id=submission_id, before=[], after=[], skipped=True)
    before = [str(m.task_id) for m in submission.matches.all()]
    if submission.status != Submission.Status.PENDING:
        return Rematch(submission_id=submission.pk, before=before, after=before, skipped=True)
    outcome = run_matcher(submission, matcher)
    valid = {str(t.pk) for t in submission.brief.tasks.all()}
    matches = [m for m in outcome.matches if m.task_id in valid] if outcome else []
    if not dry_run and _outcome_differs(submission, outcome, matches):
        submission_apply_match(submission_id=submission.pk, outcome=outcome)
    return Rematch(submission_id=submission.pk, before=before, after=[m.task_id for m in matches])


def brief_submissions_rematch(
    *, brief_id: UUID, created_before: datetime | None = None
) -> list[Rematch]:
    """Run the matcher again on every pending submission of a brief (created before
    `created_before`, when its tasks last changed), oldest first. Each is stored in a
    transaction of its own, and only if it changed."""
    pending = Submission.objects.filter(brief_id=brief_id, status=Submission.Status.PENDING)
    if created_before is not None:
        pending = pending.filter(created_at__lt=created_before)
    ids = pending.order_by("created_at").values_list("pk", flat=True)
    return [submission_rematch(submission_id=pk) for pk in ids]


def _outcome_differs(
    submission: Submission, outcome: MatchOutcome | None, matches: list[Match]
) -> bool:
    """Whether storing `outcome` (its `matches` in the brief) would change the submission."""
    if outcome is None:
        return submission.match_status != Submission.MatchStatus.FAILED
    stored = [
        Match(task_id=str(m.task_id), confidence=m.confidence, reason=m.reason)
        for m in submission.matches.all()
    ]
    return (
        stored != matches
        or submission.match_status != Submission.MatchStatus.MATCHED
        or submission.matcher != outcome.matcher
        or submission.needs_review != (outcome.needs_review or not matches)
    )
