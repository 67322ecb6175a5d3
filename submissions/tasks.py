"""Celery tasks of submissions: they take ids and call services."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from submissions import outbox, services
from submissions.models import Submission

logger = logging.getLogger(__name__)

MAX_MATCH_DELIVERIES = 3


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
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
