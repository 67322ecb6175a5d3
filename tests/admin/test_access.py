"""Who gets into /admin/, and what each PM may see there."""

import pytest
from django.test import Client

from accounts.models import Role
from submissions.models import LlmUsage
from tests.admin.conftest import PASSWORD, give_password
from tests.factories import OTHER_ORG, make_brief, make_submission, make_user

pytestmark = pytest.mark.django_db


def log_in(user) -> tuple[Client, object]:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    return client, response


def test_a_pm_logs_in_with_a_password_and_reaches_the_queue(alice):
    client, response = log_in(give_password(alice))
    assert response.status_code == 302
    assert client.get("/admin/submissions/submission/").status_code == 200


def test_a_developer_marked_staff_is_refused_at_login(bob):
    client, response = log_in(give_password(bob))
    assert response.status_code == 200
    assert "for PMs" in response.content.decode()
    assert client.get("/admin/submissions/submission/").status_code == 302


def test_a_designer_with_a_session_still_cannot_use_the_admin(carol):
    client = Client()
    client.force_login(give_password(carol))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_pm_who_is_not_staff_is_refused(alice):
    _, response = log_in(give_password(alice, staff=False))
    assert response.status_code == 200


def test_a_pm_sees_only_their_own_orgs_submissions(admin_client_for, alice, mallory, submission):
    theirs = make_submission(make_brief(mallory, name="Globex rollout"), mallory)
    page = admin_client_for(alice).get("/admin/submissions/submission/").content.decode()
    assert str(submission.pk) in page
    assert str(theirs.pk) not in page


def test_another_orgs_submission_page_is_out_of_reach(admin_client_for, mallory, submission):
    client = admin_client_for(mallory)
    response = client.get(f"/admin/submissions/submission/{submission.pk}/change/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    response = client.post(
        f"/admin/submissions/submission/{submission.pk}/change/", {"_approve": "1"}
    )
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_another_orgs_brief_and_users_are_out_of_reach(admin_client_for, alice, mallory, brief):
    client = admin_client_for(mallory)
    assert client.get(f"/admin/briefs/brief/{brief.pk}/change/").status_code == 302
    users = client.get("/admin/accounts/user/").content.decode()
    assert alice.pk not in users
    assert mallory.pk in users


def test_a_superuser_sees_every_org(submission, mallory):
    theirs = make_submission(make_brief(mallory, name="Globex rollout"), mallory)
    root = make_user("user_root", role=Role.PM, org=OTHER_ORG)
    root.is_superuser = True
    client = Client()
    client.force_login(give_password(root))
    page = client.get("/admin/submissions/submission/?status=all").content.decode()
    assert str(submission.pk) in page
    assert str(theirs.pk) in page


def test_a_pm_changes_a_members_drift_role(admin_client_for, alice, bob):
    client = admin_client_for(alice)
    page = client.get(f"/admin/accounts/user/{bob.pk}/change/").content.decode()
    assert 'name="role"' in page
    assert 'name="is_superuser"' not in page
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/",
        {
            "username": "",
            "name": bob.name,
            "email": "",
            "avatar_url": "",
            "role": "designer",
            "is_active": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert (bob.role, bob.is_superuser) == ("designer", False)


def test_a_new_tasks_brief_choices_are_only_the_pms_org(admin_client_for, alice, mallory, brief):
    theirs = make_brief(mallory, name="Globex rollout")
    page = admin_client_for(alice).get("/admin/briefs/task/add/").content.decode()
    assert str(brief.pk) in page
    assert str(theirs.pk) not in page


def test_a_superuser_from_createsuperuser_logs_in(monkeypatch, submission):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", interactive=False, username="root", email="r@example.com")
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    page = client.get("/admin/submissions/submission/").content.decode()
    assert str(submission.pk) in page


def test_a_pm_sees_only_their_orgs_llm_usage_and_cannot_change_it(alice, mallory, admin_client_for):
    LlmUsage.objects.charge(alice.organization_id, 1234)
    LlmUsage.objects.charge(mallory.organization_id, 98765)
    client = admin_client_for(alice)
    page = client.get("/admin/submissions/llmusage/")
    assert page.status_code == 200
    assert "1234" in page.content.decode()
    assert "98765" not in page.content.decode()
    usage = LlmUsage.objects.get(organization_id=alice.organization_id)
    assert client.post(f"/admin/submissions/llmusage/{usage.pk}/delete/").status_code == 403
    assert client.get("/admin/submissions/llmusage/add/").status_code == 403
