"""Task representations for matching, built in advance.

A task's profile is built when the task is created or edited (`briefs.signals.tasks_edited`)
and when an approval teaches it (`submission_review`), never per submission. Each profile
is stamped with what it was built from: a digest of the task's matched fields and of the
profile format, and the count and latest time of the approvals it learnt from. A profile
whose stamps are out of date is rebuilt when read, so matching is right whatever the
order of events (tasks bulk-created without the signal, an edit racing an approval, a new
version of the matcher).
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Max, Prefetch

from briefs.models import Brief, Task
from drift.memory import BoundedCache
from submissions.matching import PROFILE_FORMAT, profile, work_text
from submissions.matching.base import ActivityDoc, TaskDoc, WorkDoc
from submissions.models import Activity, Submission, SubmissionMatch, TaskProfile

EXAMPLES_PER_TASK = 10


def task_doc(
    task: Task, examples: Sequence[str] = (), data: dict[str, Any] | None = None
) -> TaskDoc:
    return TaskDoc(
        id=str(task.pk),
        key=task.key,
        role=task.role,
        title=task.title,
        description=task.description,
        examples=tuple(examples),
        profile=data,
    )


class _Row(NamedTuple):
    """A task with the stamps of its stored profile, as one query reads them."""

    pk: UUID
    key: str
    role: str
    title: str
    description: str
    text_stamp: str | None
    examples_stamp: str | None


_ROW = (*_Row._fields[:5], *(f"profile__{name}" for name in _Row._fields[5:]))

# Profiles read in this process, by task and stamps: a worker matching a brief's
# submissions reads its tasks' stamps, not their profiles again. Weighed by their size,
# as a task that approvals taught holds ten times the text of one they did not.
_read = BoundedCache(max_weight=settings.PROFILE_CACHE_BYTES)
# Bytes a task read from the database takes per character of the text its profile is
# built from (title, description, approved work), as measured with tracemalloc.
BYTES_PER_CHARACTER = 14


def brief_task_docs(*, brief: Brief) -> list[TaskDoc]:
    """The tasks of `brief` with their current profiles: two queries when this process
    has read them all since they last changed, three otherwise; missing or stale ones are
    rebuilt and stored first."""
    rows = [_Row(*values) for values in Task.objects.filter(brief=brief).values_list(*_ROW)]
    stamps = examples_stamps(task__brief=brief)
    current = [row for row in rows if _current(row, stamps)]
    docs = {row.pk: doc for row in current if (doc := _read.get(row))}
    docs |= _stored([row for row in current if row.pk not in docs])
    if stale := {row.pk for row in rows}.difference(row.pk for row in current):
        docs |= _build(list(Task.objects.filter(pk__in=stale)), stamps)
    return [docs[row.pk] for row in rows if row.pk in docs]


def _stored(rows: list[_Row]) -> dict[UUID, TaskDoc]:
    """The stored profiles of `rows`, remembered under their stamps."""
    by_pk = {row.pk: row for row in rows}
    if not by_pk:
        return {}
    docs = {}
    profiles = TaskProfile.objects.filter(pk__in=by_pk).values_list("pk", "examples", "data")
    for pk, examples, data in profiles:
        docs[pk] = task_doc(by_pk[pk], examples, data)
        _read.put(by_pk[pk], docs[pk], weight=_size(docs[pk]))
    return docs


def _size(doc: TaskDoc) -> int:
    """About how many bytes `doc` and its parsed profile take."""
    text = len(doc.title) + len(doc.description) + sum(map(len, doc.examples))
    return BYTES_PER_CHARACTER * text


def task_profiles_rebuild(*, task_ids: Iterable[Any]) -> None:
    """Build and store the profiles of the tasks `task_ids` that still exist."""
    tasks = list(Task.objects.filter(pk__in=list(task_ids)))
    if tasks:
        _build(tasks, examples_stamps(task__in=tasks))


def text_stamp(task: "Task | _Row") -> str:
    text = "\0".join([str(PROFILE_FORMAT), task.key, task.role, task.title, task.description])
    return hashlib.sha256(text.encode()).hexdigest()


def examples_stamps(**where: Any) -> dict[UUID, str]:
    """Per task (filtered by `where`), a stamp of the approvals that teach it."""
    rows = (
        _approved(**where)
        .values("task_id")
        .annotate(count=Count("pk"), latest=Max("submission__created_at"))
    )
    return {row["task_id"]: f"{row['count']}@{row['latest'].isoformat()}" for row in rows}


def approved_examples(*, task_ids: Sequence[UUID]) -> dict[UUID, list[str]]:
    """Per task, the text of the latest submissions approved for it (at most
    `EXAMPLES_PER_TASK`), in two queries: approvals teach the matcher what work on a task
    looks like."""
    approved = (
        _approved(task_id__in=task_ids)
        .order_by("-submission__created_at")
        .values_list("task_id", "submission_id")
    )
    chosen: dict[UUID, list[UUID]] = defaultdict(list)
    for task_id, submission_id in approved:
        if len(chosen[task_id]) < EXAMPLES_PER_TASK:
            chosen[task_id].append(submission_id)
    wanted = {pk for pks in chosen.values() for pk in pks}
    activities = Activity.objects.only("submission_id", "title", "duration")
    texts = {
        s.pk: work_text(
            WorkDoc(
                role=s.role,
                summary=tuple(s.summary),
                activities=tuple(
                    ActivityDoc(app="", title=a.title, duration=a.duration)
                    for a in s.activities.all()
                ),
            )
        )
        for s in Submission.objects.filter(pk__in=wanted).prefetch_related(
            Prefetch("activities", queryset=activities)
        )
    }
    return {task_id: [texts[pk] for pk in pks] for task_id, pks in chosen.items()}


def _approved(**where: Any) -> Any:
    return SubmissionMatch.objects.filter(submission__status=Submission.Status.APPROVED, **where)


def _current(row: _Row, stamps: dict[UUID, str]) -> bool:
    return row.text_stamp == text_stamp(row) and row.examples_stamp == stamps.get(row.pk, "")


def _build(tasks: Sequence[Task], stamps: dict[UUID, str]) -> dict[UUID, TaskDoc]:
    examples = approved_examples(task_ids=[task.pk for task in tasks])
    docs = {task.pk: task_doc(task, examples.get(task.pk, ())) for task in tasks}
    rows = [
        TaskProfile(
            task=task,
            text_stamp=text_stamp(task),
            examples_stamp=stamps.get(task.pk, ""),
            examples=list(docs[task.pk].examples),
            data=profile(docs[task.pk]),
        )
        for task in tasks
    ]
    # Two builders may race (two workers reading a stale profile): the last one wins.
    TaskProfile.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=["text_stamp", "examples_stamp", "examples", "data"],
    )
    return {row.task_id: replace(docs[row.task_id], profile=row.data) for row in rows}
