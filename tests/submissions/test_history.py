"""The audit trail: who changed what, against what the matcher proposed, in
`GET /api/submissions/{id}` as `history`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions import services
from submissions.matching.base import Match, MatchOutcome
from tests.factories import make_brief, make_submission, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(alice):
    return make_brief(alice)


@pytest.fixture
def tasks(brief):
    return make_task(brief, title="Stripe webhook setup"), make_task(brief, title="Error handling")


@pytest.fixture
def submission(brief, bob, tasks):
    submission = make_submission(brief, bob)
    outcome = MatchOutcome(
        matches=(Match(task_id=str(tasks[0].pk), confidence=0.42, reason="title words"),),
        matcher="lexical",
        needs_review=True,
    )
    services.submission_apply_match(submission_id=submission.pk, outcome=outcome)
    return submission


def history(api, user, submission) -> list[dict]:
    return api(user).get(f"/api/submissions/{submission.pk}").json()["history"]


def test_a_matcher_run_is_recorded_with_its_confidences(api, bob, submission, tasks):
    [entry] = history(api, bob, submission)
    assert entry["kind"] == "matched"
    assert (entry["actorId"], entry["actorName"]) == (None, "")
    assert entry["matcher"] == "lexical"
    assert entry["proposed"] == [{"taskId": str(tasks[0].pk), "confidence": 0.42}]
    assert entry["tasksAfter"] == [str(tasks[0].pk)]


def test_an_approval_with_other_tasks_records_both_sides(api, alice, submission, tasks):
    api(alice).patch(
        f"/api/submissions/{submission.pk}",
        {"status": "approved", "matchedTasks": [str(tasks[1].pk)]},
    )
    entry = history(api, alice, submission)[-1]
    assert entry["kind"] == "approved"
    assert (entry["actorId"], entry["actorName"]) == (alice.pk, "Alice PM")
    assert (entry["fromStatus"], entry["toStatus"]) == ("pending", "approved")
    assert entry["tasksBefore"] == [str(tasks[0].pk)]
    assert entry["tasksAfter"] == [str(tasks[1].pk)]
    assert entry["matcher"] == "lexical"
    assert entry["proposed"][0]["confidence"] == 0.42
    assert entry["createdAt"].endswith("Z")


def test_a_match_edit_without_decision_is_recorded(api, alice, submission, tasks):
    api(alice).patch(f"/api/submissions/{submission.pk}", {"matchedTasks": [str(tasks[1].pk)]})
    entry = history(api, alice, submission)[-1]
    assert (entry["kind"], entry["toStatus"]) == ("matches_edited", "pending")


def test_repeating_a_decision_records_nothing_new(api, alice, submission):
    for _ in range(2):
        api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "rejected"})
    assert [e["kind"] for e in history(api, alice, submission)] == ["matched", "rejected"]


def test_the_list_stays_without_history(api, alice, brief, submission):
    [row] = api(alice).get(f"/api/briefs/{brief.pk}/submissions").json()["submissions"]
    assert "history" not in row


def test_the_detail_takes_as_many_queries_with_a_long_history(api, alice, submission, tasks):
    client = api(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/submissions/{submission.pk}").status_code == 200
        return len(captured)

    short = queries()
    for task in (tasks[1], tasks[0], tasks[1]):
        client.patch(f"/api/submissions/{submission.pk}", {"matchedTasks": [str(task.pk)]})
    long = queries()
    assert len(history(api, alice, submission)) == 4
    assert long == short
