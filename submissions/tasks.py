"""Celery tasks of submissions: they take ids and call services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from submissions import services


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
    """Match a submission to its brief's tasks; safe to run twice."""
    services.submission_match(submission_id=submission_id)
