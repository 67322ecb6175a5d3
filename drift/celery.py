"""The Celery app. With `REDIS_URL` a worker runs tasks (`celery -A drift worker`);
without it tasks run in-process (`CELERY_TASK_ALWAYS_EAGER`)."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drift.settings")

logger = logging.getLogger(__name__)

app = Celery("drift")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def requeue_unmatched_on_start(**kwargs: Any) -> None:
    """A worker coming up (after an outage, a crash) first queues what was left pending."""
    from submissions.outbox import requeue_unmatched

    try:
        requeue_unmatched()
    except Exception:  # the worker must start even when the database is not there yet
        logger.exception("Could not requeue unmatched submissions on start")
