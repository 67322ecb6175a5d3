"""Benchmark data for `bench/serving.py`, loaded inside `manage.py shell` of the bench settings."""

from typing import Any

from accounts.models import Role
from accounts.services import user_token, user_upsert
from briefs.models import Brief, Task
from submissions.models import Activity, Submission

ORG = "org_bench"


def _brief(creator: Any, name: str, prefix: str, tasks: int) -> Brief:
    brief = Brief.objects.create(
        organization_id=ORG,
        name=name,
        status=Brief.Status.ACTIVE,
        created_by=creator,
        key_prefix=prefix,
        next_task_number=tasks + 1,
    )
    Task.objects.bulk_create(
        Task(
            brief=brief,
            number=n,
            key=f"{prefix}-{n}",
            role=Role.DEV,
            title=f"Implement part {n} of the checkout",
            description=f"Details of part {n}",
        )
        for n in range(1, tasks + 1)
    )
    return brief


def _submissions(brief: Brief, user: Any, count: int, activities: int) -> list[Submission]:
    rows = Submission.objects.bulk_create(
        Submission(
            brief=brief,
            user=user,
            user_name=user.name,
            role=user.role,
            summary=["Worked on the checkout", "Wrote tests"],
            duration=60,
            match_status=Submission.MatchStatus.MATCHED,
        )
        for _ in range(count)
    )
    Activity.objects.bulk_create(
        (
            Activity(
                submission=s,
                position=i,
                app="Cursor",
                title=f"src/checkout_{i}.py",
                summary="Edited the checkout",
                duration=3,
                timestamp=1706745600000 + i * 60_000,
            )
            for s in rows
            for i in range(activities)
        ),
        batch_size=5000,
    )
    return rows


def load(approvals: int) -> dict[str, Any]:
    pm = user_upsert(user_id="user_bench_pm", org_id=ORG, role=Role.PM, name="Bench PM")
    dev = user_upsert(user_id="user_bench_dev", org_id=ORG, role=Role.DEV, name="Bench Dev")
    tasks_brief = _brief(pm, "Tasks brief", "TSK", 50)
    submissions_brief = _brief(pm, "Submissions brief", "SUB", 5)
    _submissions(submissions_brief, dev, 50, 20)
    post_brief = _brief(pm, "Posting brief", "PST", 10)
    approve_brief = _brief(pm, "Approval brief", "APR", 5)
    to_approve = _submissions(approve_brief, dev, approvals, 1)
    return {
        "tasks_brief": str(tasks_brief.pk),
        "submissions_brief": str(submissions_brief.pk),
        "post_brief": str(post_brief.pk),
        "approvals": [str(s.pk) for s in to_approve],
        "dev_id": dev.pk,
        "dev_token": user_token(user=dev)[0],
        "pm_token": user_token(user=pm)[0],
    }
