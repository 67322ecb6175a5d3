"""Receivers of other apps' signals, connected in `BriefsConfig.ready()`."""

from typing import Any

from briefs.models import Brief
from briefs.representations import BRIEF_STAMPS
from briefs.services import briefs_touch


def touch_briefs_of_deleted_user(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    """A deleted user leaves the briefs they created without `createdBy`: their
    representations change, in the deleting transaction."""
    briefs_touch(
        brief_ids=list(Brief.objects.filter(created_by=instance).values_list("pk", flat=True))
    )


def forget_stamp_of_deleted_brief(sender: Any, *, instance: Brief, **kwargs: Any) -> None:
    """A deleted brief (through the service, or with its organization) is gone for
    readers of its mirrored stamp too."""
    BRIEF_STAMPS.forget([instance.pk])
