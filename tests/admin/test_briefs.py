"""A brief's admin page: its tasks edited inline through the services, and its progress."""

import pytest

from briefs.models import Brief, Task
from realtime.models import Event
from submissions.models import SubmissionMatch
from tests.factories import make_submission

pytestmark = pytest.mark.django_db


def inline(brief: Brief, rows: list[dict], **extra: str) -> dict:
    """The POST of the brief's page with its task rows."""
    data = {
        "name": brief.name,
        "description": brief.description,
        "status": brief.status,
        "tasks-TOTAL_FORMS": str(len(rows)),
        "tasks-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"tasks-{i}-{key}"] = value
        data[f"tasks-{i}-brief"] = str(brief.pk)
    return data


def test_the_brief_page_shows_progress_as_server_drawn_bars(
    admin_client_for, alice, bob, brief, webhook, errors_task
):
    Task.objects.filter(pk=webhook.pk).update(status=Task.Status.DONE)
    submission = make_submission(brief, bob, status="approved")
    SubmissionMatch.objects.create(submission=submission, task=webhook, rank=0, confidence=0.8)
    pending = make_submission(brief, bob)
    page = admin_client_for(alice).get(f"/admin/briefs/brief/{brief.pk}/change/").content.decode()
    assert "1 of 2 tasks done (50%)" in page
    assert '<div class="drift-bar"' in page
    assert "1 pending" in page
    assert "approval rate 100%" in page
    assert "Bob Dev" in page  # minutes per person
    assert f"/admin/submissions/submission/{pending.pk}/change/" in page
    assert "http://" not in page.split('id="brief-progress"')[1].split("</form>")[0]


def test_tasks_are_added_and_changed_inline_through_the_services(
    admin_client_for, alice, brief, webhook
):
    rows = [
        {"id": str(webhook.pk), "role": "dev", "title": "Stripe webhooks", "status": "in_progress"},
        {"role": "designer", "title": "Payment sheet design", "status": "todo"},
    ]
    events_before = Event.objects.filter(type="tasks:updated").count()
    response = admin_client_for(alice).post(
        f"/admin/briefs/brief/{brief.pk}/change/", inline(brief, rows, _continue="1")
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.title, webhook.status) == ("Stripe webhooks", "in_progress")
    added = brief.tasks.get(title="Payment sheet design")
    assert added.key == "APP-2"
    assert Event.objects.filter(type="tasks:updated").count() == events_before + 2


def test_a_task_is_deleted_inline(admin_client_for, alice, brief, webhook):
    rows = [
        {
            "id": str(webhook.pk),
            "role": "dev",
            "title": webhook.title,
            "status": "todo",
            "DELETE": "on",
        }
    ]
    admin_client_for(alice).post(f"/admin/briefs/brief/{brief.pk}/change/", inline(brief, rows))
    assert not Task.objects.filter(pk=webhook.pk).exists()


def test_a_pm_creates_a_brief_in_their_own_org(admin_client_for, alice):
    data = {
        "name": "Onboarding revamp",
        "description": "",
        "status": "planning",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        "tasks-0-role": "dev",
        "tasks-0-title": "Welcome mail",
        "tasks-0-status": "todo",
    }
    response = admin_client_for(alice).post("/admin/briefs/brief/add/", data)
    assert response.status_code == 302
    brief = Brief.objects.get(name="Onboarding revamp")
    assert (brief.organization_id, brief.created_by_id, brief.key_prefix) == (
        alice.organization_id,
        alice.pk,
        "ONB",
    )
    assert brief.tasks.get().key == "ONB-1"


def test_a_task_deleted_on_its_own_page_is_gone_from_what_the_api_serves(
    admin_client_for, api, alice, brief, webhook
):
    etag = api(alice).get(f"/api/briefs/{brief.pk}")["ETag"]
    unchanged = api(alice).get(f"/api/briefs/{brief.pk}", **{"If-None-Match": etag})
    assert unchanged.status_code == 304
    page = f"/admin/briefs/task/{webhook.pk}/delete/"
    assert admin_client_for(alice).post(page, {"post": "yes"}).status_code == 302
    response = api(alice).get(f"/api/briefs/{brief.pk}", **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["tasks"] == []
    assert Event.objects.filter(type="tasks:updated", brief_id=brief.pk).exists()


def test_tasks_deleted_with_the_delete_selected_action_are_announced(
    admin_client_for, alice, brief, webhook, errors_task
):
    action = {"action": "delete_selected", "post": "yes", "_selected_action": [webhook.pk]}
    admin_client_for(alice).post("/admin/briefs/task/", action)
    assert list(brief.tasks.all()) == [errors_task]
    last = Event.objects.filter(type="tasks:updated", brief_id=brief.pk).order_by("seq").last()
    assert last.payload["taskIds"] == [str(webhook.pk)]


def test_deleting_its_creator_changes_the_briefs_representation(api, alice, bob, brief):
    etag = api(bob).get(f"/api/briefs/{brief.pk}")["ETag"]
    alice.delete()
    response = api(bob).get(f"/api/briefs/{brief.pk}", **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["createdBy"] is None
