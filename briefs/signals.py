"""Signals other apps listen to without briefs knowing them.

`tasks_edited` is sent, inside the writing transaction, when tasks are created,
deleted, or have their matching text (key, role, title, description) changed, so
that whatever was derived from that text (task representations, pending matches)
can be rebuilt. Status changes do not send it. Receivers that do work outside the
database should defer it with `transaction.on_commit`.

Arguments: `brief` (the Brief) and `task_ids` (the ids of the tasks concerned;
a deleted task's id names a task that no longer exists).
"""

from django.dispatch import Signal

tasks_edited = Signal()

# Task fields whose change alters what matching sees.
MATCHED_FIELDS = frozenset({"key", "role", "title", "description"})
