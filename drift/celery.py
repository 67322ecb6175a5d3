"""The Celery app. With `REDIS_URL` a worker runs tasks (`celery -A drift worker`);
without it tasks run in-process (`CELERY_TASK_ALWAYS_EAGER`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drift.settings")

app = Celery("drift")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
