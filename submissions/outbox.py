"""Queueing matching without ever letting a request wait on the broker.

A submission is stored before its matching is queued, and `match_status` stays
`pending` until a matcher's outcome is applied: the database row is the outbox. The
request only tries the broker once, briefly (`enqueue_match`); when Redis is down the
circuit opens for `BREAKER_SECONDS`, requests stop trying, and `requeue_unmatched`
queues whatever is still pending once the broker is back: on worker start, every
`MATCH_SWEEP_SECONDS` from Celery beat, or by `manage.py requeue_unmatched`. The task
is idempotent, so a submission queued twice is still matched once.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from submissions.models import Submission

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0
_breaker_open_until = 0.0


def broker_unavailable() -> bool:
    """True while the last attempt to reach the broker failed recently."""
    return time.monotonic() < _breaker_open_until


def enqueue_match(submission_id: str) -> bool:
    """Queue the matching of one submission, or leave it to the sweeper; never blocks
    for long and never raises."""
    global _breaker_open_until
    if broker_unavailable():
        return False
    from submissions.tasks import match_submission

    try:
        match_submission.apply_async((submission_id,), retry=False)
    except Exception as exc:
        _breaker_open_until = time.monotonic() + BREAKER_SECONDS
        logger.warning("Broker unavailable (%s); %s waits for the sweeper", exc, submission_id)
        return False
    return True


def requeue_unmatched(*, older_than: float | None = None) -> int:
    """Queue matching again for pending submissions whose matching never finished."""
    age = settings.MATCH_SWEEP_AFTER_SECONDS if older_than is None else older_than
    ids = Submission.objects.filter(
        status=Submission.Status.PENDING,
        match_status=Submission.MatchStatus.PENDING,
        updated_at__lte=timezone.now() - timedelta(seconds=age),
    ).values_list("pk", flat=True)
    queued = sum(enqueue_match(str(pk)) for pk in ids)
    if queued:
        logger.info("Requeued matching of %d unmatched submissions", queued)
    return queued
