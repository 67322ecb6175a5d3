"""Issue #7 item 4: every GET of the API (and the session check) runs the same number of
SQL queries whatever the size of its result, measured through HTTP at 2 and at 40 rows.

Each measured request is the first of its representation (nothing cached yet), by a
caller whose token is already verified, so the count is the endpoint's own work."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import Brief
from submissions.models import SubmissionEvent, SubmissionMatch
from tests.factories import make_brief, make_submission

pytestmark = pytest.mark.django_db

SIZES = (2, 40)
GETS = {
    "brief detail": "/api/briefs/{brief}",
    "brief tasks": "/api/briefs/{brief}/tasks",
    "brief metrics": "/api/briefs/{brief}/metrics",
    "brief submissions": "/api/briefs/{brief}/submissions?limit=100",
    "task detail": "/api/tasks/{task}",
    "submission detail": "/api/submissions/{submission}",
}


def world(pm, dev, size: int) -> dict:
    """A brief of `size` tasks and `size` submissions of `size` activities, each matched
    to every task; the first submission has `size` history entries."""
    brief = make_brief(pm, name=f"Size {size}", tasks=size)
    tasks = list(brief.tasks.all())
    submissions = [make_submission(brief, dev, activities=size) for _ in range(size)]
    SubmissionMatch.objects.bulk_create(
        SubmissionMatch(submission=s, task=t, rank=rank, confidence=0.7, reason="Named")
        for s in submissions
        for rank, t in enumerate(tasks)
    )
    proposal = [{"taskId": str(t.pk), "confidence": 0.7} for t in tasks]
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(
            submission=submissions[0],
            kind=SubmissionEvent.Kind.MATCHED,
            from_status="pending",
            to_status="pending",
            tasks_after=[str(t.pk) for t in tasks],
            matcher="lexical",
            proposed=proposal,
        )
        for _ in range(size)
    )
    return {"brief": brief.pk, "task": tasks[0].pk, "submission": submissions[0].pk}


@pytest.fixture
def client(settings, api, alice):
    """Alice's client, her token verified once for the whole test."""
    settings.AUTH_CACHE_SECONDS = 60
    client = api(alice)
    assert client.get("/api/briefs?limit=1").status_code == 200
    return client


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", GETS.values(), ids=GETS.keys())
def test_a_get_costs_the_same_queries_for_2_or_40_rows(client, alice, bob, path):
    small, large = (world(alice, bob, size) for size in SIZES)
    assert queries(lambda: client.get(path.format(**small))) == queries(
        lambda: client.get(path.format(**large))
    )


def test_the_brief_list_costs_the_same_queries_for_2_or_40_briefs(client, alice):
    for status, count in zip((Brief.Status.PLANNING, Brief.Status.ACTIVE), SIZES, strict=True):
        for n in range(count):
            make_brief(alice, name=f"{status} {n}", status=status)
    small, large = (
        queries(lambda s=status: client.get(f"/api/briefs?status={s}&limit=100"))
        for status in (Brief.Status.PLANNING, Brief.Status.ACTIVE)
    )
    assert small == large


def test_the_session_costs_the_same_queries_whatever_the_org_holds(client, alice, bob):
    before = queries(lambda: client.post("/api/auth/session"))
    world(alice, bob, SIZES[1])
    assert queries(lambda: client.post("/api/auth/session")) == before
