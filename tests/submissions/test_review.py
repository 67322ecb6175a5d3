"""Approving and rejecting through `PATCH /api/submissions/{id}`."""

import pytest

from briefs.models import Task
from submissions.models import Submission, SubmissionMatch
from tests.factories import make_brief, make_submission, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(alice):
    return make_brief(alice)


@pytest.fixture
def webhook(brief):
    return make_task(brief, title="Stripe webhook setup")


@pytest.fixture
def errors_task(brief):
    return make_task(brief, title="Error handling")


@pytest.fixture
def submission(brief, bob, webhook):
    submission = make_submission(brief, bob)
    SubmissionMatch.objects.create(
        submission=submission, task=webhook, rank=0, confidence=0.9, reason="summary matched"
    )
    return submission


def test_approval_marks_the_matched_tasks_done(api, alice, submission, webhook):
    response = api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "status", "updatedAt"}
    assert body["status"] == "approved"
    webhook.refresh_from_db()
    assert webhook.status == Task.Status.DONE


def test_approval_with_matched_tasks_replaces_the_list(
    api, alice, submission, webhook, errors_task
):
    response = api(alice).patch(
        f"/api/submissions/{submission.pk}",
        {"status": "approved", "matchedTasks": [str(errors_task.pk)]},
    )
    assert response.status_code == 200
    detail = api(alice).get(f"/api/submissions/{submission.pk}").json()
    assert detail["matchedTasks"] == [str(errors_task.pk)]
    webhook.refresh_from_db()
    errors_task.refresh_from_db()
    assert (webhook.status, errors_task.status) == (Task.Status.TODO, Task.Status.DONE)


def test_rejection_leaves_tasks_alone(api, alice, submission, webhook):
    response = api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "rejected"})
    assert response.json()["status"] == "rejected"
    webhook.refresh_from_db()
    assert webhook.status == Task.Status.TODO


def test_a_developer_cannot_approve(api, bob, submission):
    response = api(bob).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING


def test_the_briefs_creator_may_approve(api, carol, bob, webhook):
    own_brief = make_brief(carol, name="Carol's brief")
    submission = make_submission(own_brief, bob)
    response = api(carol).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    assert response.status_code == 200


def test_an_outsider_gets_not_found(api, mallory, submission):
    response = api(mallory).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    assert response.status_code == 404
    assert api(mallory).get(f"/api/submissions/{submission.pk}").status_code == 404


def test_tasks_of_another_brief_are_refused(api, alice, submission):
    other = make_task(make_brief(alice, name="Other"), title="Elsewhere")
    response = api(alice).patch(
        f"/api/submissions/{submission.pk}", {"status": "approved", "matchedTasks": [str(other.pk)]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "matchedTasks[0]"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING


def test_an_unknown_status_is_refused(api, alice, submission):
    response = api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "maybe"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "status"


def test_an_empty_patch_is_refused(api, alice, submission):
    assert api(alice).patch(f"/api/submissions/{submission.pk}", {}).status_code == 400


def test_a_decided_submission_cannot_be_reversed(api, alice, submission):
    api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    response = api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "rejected"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


def test_repeating_a_decision_is_harmless(api, alice, submission):
    api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    response = api(alice).patch(f"/api/submissions/{submission.pk}", {"status": "approved"})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_review_needs_a_token(api, submission):
    assert (
        api().patch(f"/api/submissions/{submission.pk}", {"status": "approved"}).status_code == 401
    )
