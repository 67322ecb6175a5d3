"""`GET /api/briefs/{id}/metrics` and the same figures on the brief's admin page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from briefs.models import Task
from submissions.models import Submission, SubmissionMatch
from tests.factories import make_brief, make_submission, make_task

pytestmark = pytest.mark.django_db


def matched(submission: Submission, task: Task, confidence: float) -> Submission:
    SubmissionMatch.objects.create(
        submission=submission, task=task, rank=0, confidence=confidence, reason=""
    )
    return submission


@pytest.fixture
def brief(alice, bob, carol):
    brief = make_brief(alice)
    webhook = make_task(brief, title="Stripe webhook setup")
    sheet = make_task(brief, title="Payment sheet design", role=Role.DESIGNER)
    make_task(brief, title="Launch plan", role=Role.PM)
    Task.objects.filter(pk=webhook.pk).update(status=Task.Status.DONE)
    matched(make_submission(brief, bob, status="approved"), webhook, 0.9)  # 60 min
    matched(make_submission(brief, bob, status="rejected"), webhook, 0.3)
    matched(make_submission(brief, carol), sheet, 0.7)
    Submission.objects.filter(user=carol).update(needs_review=True, duration=45)
    return brief


def test_metrics_give_progress_by_role_and_status(api, alice, brief):
    body = api(alice).get(f"/api/briefs/{brief.pk}/metrics").json()
    tasks = body["tasks"]
    assert tasks["total"] == 3
    assert tasks["byStatus"] == {"todo": 2, "inProgress": 0, "done": 1}
    assert tasks["percentDone"] == 33
    dev = next(r for r in tasks["byRole"] if r["role"] == "dev")
    assert dev == {"role": "dev", "total": 1, "todo": 0, "inProgress": 0, "done": 1}


def test_metrics_give_minutes_per_task_and_person_without_rejected_work(api, bob, brief):
    body = api(bob).get(f"/api/briefs/{brief.pk}/metrics").json()
    by_task = {row["key"]: row for row in body["minutesByTask"]}
    assert (by_task["APP-1"]["minutes"], by_task["APP-1"]["approvedMinutes"]) == (60, 60)
    assert (by_task["APP-2"]["minutes"], by_task["APP-3"]["minutes"]) == (45, 0)
    by_person = {row["userName"]: row for row in body["minutesByPerson"]}
    assert by_person["Bob Dev"]["minutes"] == 60
    assert by_person["Bob Dev"]["submissions"] == 2
    assert by_person["Carol Designer"]["minutes"] == 45


def test_metrics_give_approval_rate_and_match_confidence(api, alice, brief):
    body = api(alice).get(f"/api/briefs/{brief.pk}/metrics").json()
    assert body["submissions"] == {
        "total": 3,
        "pending": 1,
        "approved": 1,
        "rejected": 1,
        "needsReview": 1,
    }
    assert body["approvalRate"] == 0.5
    confidence = body["matchConfidence"]
    assert confidence["average"] == pytest.approx(0.6333, abs=1e-3)
    assert (confidence["matches"], confidence["low"]) == (3, 1)
    assert [b["count"] for b in confidence["buckets"]] == [0, 1, 0, 1, 1]


def test_an_empty_brief_has_no_approval_rate(api, alice):
    body = api(alice).get(f"/api/briefs/{make_brief(alice, name='Empty').pk}/metrics").json()
    assert (body["approvalRate"], body["matchConfidence"]["average"]) == (None, None)
    assert body["tasks"]["percentDone"] == 0


def test_another_orgs_brief_has_no_metrics(api, mallory, brief):
    response = api(mallory).get(f"/api/briefs/{brief.pk}/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_metrics_need_a_token(api, brief):
    assert api().get(f"/api/briefs/{brief.pk}/metrics").status_code == 401


def queries_for(api, user, brief) -> int:
    client = api(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/api/briefs/{brief.pk}/metrics").status_code == 200
    return len(captured)


def test_metrics_take_as_many_queries_for_200_tasks_as_for_5(api, alice, bob):
    small, large = (
        make_brief(alice, name="Small", tasks=5),
        make_brief(alice, name="Large", tasks=200),
    )
    for brief in (small, large):
        for task in brief.tasks.all()[:50]:
            matched(make_submission(brief, bob), task, 0.8)
    assert queries_for(api, alice, small) == queries_for(api, alice, large)
