"""Receivers of other apps' signals, connected in `BriefsConfig.ready()`."""

from typing import Any

from briefs.models import Brief


def touch_briefs_of_deleted_user(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    """A deleted user leaves the briefs they created without `createdBy`: their
    representations change, in the deleting transaction."""
    Brief.objects.filter(created_by=instance).touch()
