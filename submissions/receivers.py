"""Receivers of other apps' signals, connected in `SubmissionsConfig.ready()`."""

from functools import partial
from typing import Any

from django.db import transaction

from briefs.models import Brief
from submissions.profiles import task_profiles_rebuild
from submissions.tasks import queue_brief_rematch


def rebuild_profiles_on_tasks_edited(sender: Any, *, task_ids: list[Any], **kwargs: Any) -> None:
    """Rebuild the edited tasks' profiles in the editing transaction, so they are current
    by the time anything matches against them."""
    task_profiles_rebuild(task_ids=task_ids)


def rematch_pending_on_tasks_edited(sender: Any, *, brief: Brief, **kwargs: Any) -> None:
    """A brief's tasks changed (`briefs.signals.tasks_edited`): once that commits, match
    its pending submissions again. Bursts are coalesced by `queue_brief_rematch`."""
    transaction.on_commit(partial(queue_brief_rematch, str(brief.pk)))
