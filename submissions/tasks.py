"""Celery tasks of submissions: they take ids and call services."""

import hashlib
import logging
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from briefs.models import Task
from briefs.signals import MATCHED_FIELDS
from submissions import outbox, services
from submissions.models import Submission

logger = logging.getLogger(__name__)

MAX_MATCH_DELIVERIES = 3
# A database that drops a connection or restarts: try again, backing off up to a minute.
RETRY_DATABASE_ERRORS: dict[str, Any] = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90, **RETRY_DATABASE_ERRORS)
def match_submission(submission_id: str) -> None:
    """Match a submission to its brief's tasks; safe to run twice.

    Runs only while the submission's matching is pending, so a redelivered or
    requeued task does not match it again. A task that keeps killing its worker is
    redelivered (`acks_late`, `task_reject_on_worker_lost`) at most
    `MAX_MATCH_DELIVERIES` times; then the submission is marked failed for review.
    """
    version = (
        Submission.objects.filter(pk=submission_id, match_status=Submission.MatchStatus.PENDING)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        return
    if _delivery_count(submission_id, version) > MAX_MATCH_DELIVERIES:
        logger.error(
            "Giving up matching %s after %d deliveries", submission_id, MAX_MATCH_DELIVERIES
        )
        services.submission_apply_match(submission_id=submission_id, outcome=None)
        return
    services.submission_match(submission_id=submission_id)


def _delivery_count(submission_id: str, version: int) -> int:
    key = f"match-deliveries:{submission_id}:{version}"
    cache.add(key, 0, timeout=86400)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        return 1


@shared_task(soft_time_limit=60, time_limit=90)
def requeue_unmatched_matches() -> int:
    """The sweeper (Celery beat, and every worker on start): queue matching again for
    submissions still pending, e.g. stored while the broker was down."""
    return outbox.requeue_unmatched()


REMATCH_DEBOUNCE_SECONDS = 2
REMATCHED_TTL_SECONDS = 86400


def queue_brief_rematch(brief_id: str) -> None:
    """Queue matching again for a brief's pending submissions (after its tasks changed and
    the change committed); never raises into the request.

    A burst of edits (a form saving 50 tasks, 50 quick requests) queues one task: while
    one waits its `REMATCH_DEBOUNCE_SECONDS`, more edits queue nothing, and it reads the
    tasks when it starts. In-process (eager) Celery runs it at once instead, and
    `rematch_brief` skips the runs of one burst after the first.
    """
    if outbox.broker_unavailable():
        return
    try:
        cache.set(_edited_key(brief_id), timezone.now(), timeout=REMATCHED_TTL_SECONDS)
        if cache.add(_queued_key(brief_id), True, timeout=REMATCH_DEBOUNCE_SECONDS):
            rematch_brief.apply_async((brief_id,), countdown=REMATCH_DEBOUNCE_SECONDS, retry=False)
    except Exception as exc:  # Redis down: the submissions keep their matches
        logger.warning("Could not queue re-matching of brief %s (%s)", brief_id, exc)


@shared_task(soft_time_limit=300, time_limit=360, **RETRY_DATABASE_ERRORS)
def rematch_brief(brief_id: str) -> int:
    """Match a brief's pending submissions again after its tasks changed, and return how
    many changed; those changed get `submission:updated`. Safe to run twice: a run that
    finds the tasks as the last run left them does nothing."""
    cache.delete(_queued_key(brief_id))  # edits from now on queue another run
    tasks = _tasks_fingerprint(brief_id)
    done = f"brief-rematched:{brief_id}"
    if cache.get(done) == tasks:
        return 0
    results = services.brief_submissions_rematch(
        brief_id=brief_id, created_before=cache.get(_edited_key(brief_id))
    )
    cache.set(done, tasks, timeout=REMATCHED_TTL_SECONDS)
    changed = sum(r.changed for r in results)
    logger.info(
        "Re-matched %d pending submission(s) of brief %s after its tasks changed: %d changed",
        len(results),
        brief_id,
        changed,
    )
    return changed


def _edited_key(brief_id: str) -> str:
    """When the brief's tasks last changed (committed): work submitted since was matched
    against them already."""
    return f"brief-tasks-edited:{brief_id}"


def _queued_key(brief_id: str) -> str:
    return f"brief-rematch-queued:{brief_id}"


def _tasks_fingerprint(brief_id: str) -> str:
    """What matching reads of a brief's tasks, and when each last changed, as one hash."""
    rows = (
        Task.objects.filter(brief_id=brief_id)
        .order_by("pk")
        .values_list("pk", "updated_at", *sorted(MATCHED_FIELDS))
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()
