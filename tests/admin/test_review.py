"""Deciding in the admin: the submission's page and the bulk actions call the API's
services, so tasks, events and the audit trail change exactly as through PATCH."""

import pytest

from briefs.models import Task
from realtime.models import Event
from submissions import services
from submissions.models import Submission, SubmissionEvent
from tests.admin.conftest import match
from tests.factories import make_submission

pytestmark = pytest.mark.django_db
QUEUE = "/admin/submissions/submission/"


def page_of(submission: Submission) -> str:
    return f"{QUEUE}{submission.pk}/change/"


@pytest.fixture
def client(admin_client_for, alice):
    return admin_client_for(alice)


def test_the_submission_page_shows_what_a_pm_decides_from(client, submission):
    page = client.get(page_of(submission)).content.decode()
    assert "<li>Implemented the Stripe webhook</li>" in page
    assert "file0.py" in page
    assert "2024-02-01 00:00" in page
    assert "APP-1" in page
    assert "0.90" in page
    assert "summary" in page
    assert 'name="_approve"' in page
    assert 'name="_rematch"' in page


def test_snippets_are_shown_as_stored_with_secrets_redacted(api, client, bob, brief):
    from tests.factories import stripe_payload

    payload = stripe_payload(brief, bob, userName=bob.name)
    payload["snippets"] = [
        {"text": "export STRIPE_KEY=sk_live_abcdefghijklmnop1234", "context": "terminal"}
    ]
    created = api(bob).post("/api/submissions", payload).json()
    page = client.get(f"{QUEUE}{created['id']}/change/").content.decode()
    assert "STRIPE_KEY=" in page
    assert "sk_live_abcdefghijklmnop1234" not in page


def test_approving_on_the_page_marks_its_tasks_done_with_event_and_audit(
    client, alice, submission, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page_of(submission), {"matched_tasks": [webhook.pk], "_approve": "1"}
        )
    assert response.status_code == 302
    submission.refresh_from_db()
    webhook.refresh_from_db()
    assert (submission.status, webhook.status) == ("approved", Task.Status.DONE)
    assert Event.objects.filter(type="submission:updated").exists()
    assert Event.objects.filter(type="tasks:updated").exists()
    entry = submission.history.get()
    assert (entry.kind, entry.actor_id, entry.from_status, entry.to_status) == (
        "approved",
        alice.pk,
        "pending",
        "approved",
    )


def test_a_pm_edits_the_matched_tasks_before_approving(client, submission, webhook, errors_task):
    response = client.post(
        page_of(submission), {"matched_tasks": [errors_task.pk], "_approve": "1"}
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    errors_task.refresh_from_db()
    assert (webhook.status, errors_task.status) == (Task.Status.TODO, Task.Status.DONE)
    entry = submission.history.get()
    assert entry.tasks_before == [str(webhook.pk)]
    assert entry.tasks_after == [str(errors_task.pk)]


def test_saving_edited_matches_without_deciding_keeps_it_pending(client, submission, errors_task):
    client.post(page_of(submission), {"matched_tasks": [errors_task.pk], "_save": "1"})
    submission.refresh_from_db()
    assert submission.status == "pending"
    assert submission.matched_task_ids == [errors_task.pk]
    assert submission.history.get().kind == SubmissionEvent.Kind.MATCHES_EDITED


def test_only_tasks_of_the_submissions_brief_can_be_chosen(client, alice, submission):
    from tests.factories import make_brief, make_task

    elsewhere = make_task(make_brief(alice, name="Onboarding"), title="Welcome mail")
    page = client.get(page_of(submission)).content.decode()
    assert str(elsewhere.pk) not in page
    response = client.post(page_of(submission), {"matched_tasks": [elsewhere.pk], "_approve": "1"})
    assert response.status_code == 200  # the form comes back with its error
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_rejecting_on_the_page_leaves_tasks_alone(client, submission, webhook):
    client.post(page_of(submission), {"matched_tasks": [webhook.pk], "_reject": "1"})
    submission.refresh_from_db()
    webhook.refresh_from_db()
    assert (submission.status, webhook.status) == ("rejected", Task.Status.TODO)


def test_a_decided_submission_offers_no_decision_and_refuses_one(client, submission):
    client.post(page_of(submission), {"_reject": "1"})
    page = client.get(page_of(submission)).content.decode()
    assert 'name="_approve"' not in page
    response = client.post(page_of(submission), {"_approve": "1"}, follow=True)
    assert "already rejected" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "rejected"


def test_bulk_actions_approve_and_reject_through_the_service(client, brief, bob, webhook):
    first, second = make_submission(brief, bob), make_submission(brief, bob)
    match(first, webhook)
    client.post(QUEUE, {"action": "approve", "_selected_action": [first.pk]})
    client.post(QUEUE, {"action": "reject", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    webhook.refresh_from_db()
    assert (first.status, second.status, webhook.status) == ("approved", "rejected", "done")
    assert first.history.get().actor_name == "Alice PM"


def test_rematch_queues_matching_again_and_is_audited(
    client, submission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page_of(submission), {"_rematch": "1"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.match_status == "pending"
    assert submission.history.get().kind == SubmissionEvent.Kind.REMATCH_QUEUED
    assert callbacks  # the Celery task and the event go out after commit


def test_the_audit_trail_is_on_the_submissions_page(client, submission, webhook):
    client.post(page_of(submission), {"matched_tasks": [webhook.pk], "_approve": "1"})
    page = client.get(page_of(submission)).content.decode()
    assert "Alice PM" in page
    assert "pending → approved" in page


def test_a_decision_on_a_stale_page_is_refused(client, alice, submission, webhook):
    seen = submission.version
    services.submission_requeue_match(submission_id=submission.pk, user=alice)
    response = client.post(
        page_of(submission),
        {"matched_tasks": [webhook.pk], "seen_version": seen, "_approve": "1"},
        follow=True,
    )
    assert "changed since you last read it" in response.content.decode()
    submission.refresh_from_db()
    webhook.refresh_from_db()
    assert (submission.status, webhook.status) == ("pending", Task.Status.TODO)
