"""Receivers of other apps' signals, connected in `SubmissionsConfig.ready()`."""

from functools import partial
from typing import Any

from django.db import transaction

from briefs.models import Brief
from submissions.tasks import queue_brief_rematch


def rematch_pending_on_tasks_edited(sender: Any, *, brief: Brief, **kwargs: Any) -> None:
    """A brief's tasks changed (`briefs.signals.tasks_edited`): once that commits, match
    its pending submissions again. Bursts are coalesced by `queue_brief_rematch`."""
    transaction.on_commit(partial(queue_brief_rematch, str(brief.pk)))
