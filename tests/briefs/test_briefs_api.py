"""Briefs and tasks through the HTTP API: shapes, filters, roles and tenancy."""

import re

import pytest

from briefs.models import Brief, Task
from tests.factories import make_brief, make_task

pytestmark = pytest.mark.django_db

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TASK_KEYS = {"id", "briefId", "key", "role", "title", "description", "status", "createdAt"}
BRIEF_KEYS = {"id", "orgId", "name", "description", "status", "createdBy", "createdAt"}


def test_brief_detail_has_the_spec_shape_with_its_tasks(api, alice, bob):
    brief = make_brief(alice, tasks=2)
    response = api(bob).get(f"/api/briefs/{brief.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == BRIEF_KEYS | {"tasks"}
    assert body["orgId"] == "org_acme"
    assert body["createdBy"] == "user_alice"
    assert ISO_Z.match(body["createdAt"])
    assert [t["key"] for t in body["tasks"]] == ["APP-1", "APP-2"]
    assert set(body["tasks"][0]) == TASK_KEYS


def test_another_orgs_brief_is_not_found(api, alice, mallory):
    brief = make_brief(alice)
    response = api(mallory).get(f"/api/briefs/{brief.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_malformed_brief_id_is_not_found(api, bob):
    assert api(bob).get("/api/briefs/not-a-uuid").status_code == 404


def test_brief_detail_needs_a_token(api, alice):
    brief = make_brief(alice)
    assert api().get(f"/api/briefs/{brief.pk}").status_code == 401


def test_brief_list_holds_only_the_callers_org_with_the_true_total(api, alice, mallory):
    for n in range(3):
        make_brief(alice, name=f"Brief {n}", status="active")
    make_brief(alice, name="Later", status="planning")
    make_brief(mallory, name="Elsewhere")
    response = api(alice).get("/api/briefs?status=active&limit=2")
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 0)
    assert len(body["briefs"]) == 2
    assert all(b["orgId"] == "org_acme" for b in body["briefs"])


def test_brief_list_rejects_an_unknown_status(api, alice):
    response = api(alice).get("/api/briefs?status=archived")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "status"


def test_a_pm_creates_a_brief_with_a_task_key_prefix(api, alice):
    response = api(alice).post(
        "/api/briefs", {"name": "Apple Pay Checkout", "description": "Checkout option"}
    )
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"/api/briefs/{body['id']}"
    assert (body["status"], body["createdBy"], body["tasks"]) == ("planning", "user_alice", [])
    assert Brief.objects.get(pk=body["id"]).key_prefix == "APP"


def test_a_developer_cannot_create_a_brief(api, bob):
    response = api(bob).post("/api/briefs", {"name": "Side project"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


def test_creating_a_brief_names_the_missing_field(api, alice):
    response = api(alice).post("/api/briefs", {"description": "no name"})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "field": "name",
        "issue": "This field is required.",
        "errors": [{"field": "name", "issue": "This field is required."}],
    }


def test_the_briefs_creator_may_edit_it_but_other_developers_may_not(api, bob, carol, alice):
    brief = make_brief(bob)
    assert api(carol).patch(f"/api/briefs/{brief.pk}", {"status": "active"}).status_code == 403
    response = api(bob).patch(f"/api/briefs/{brief.pk}", {"status": "completed"})
    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_a_pm_deletes_a_brief(api, alice):
    brief = make_brief(alice, tasks=2)
    response = api(alice).delete(f"/api/briefs/{brief.pk}")
    assert response.status_code == 204
    assert not Brief.objects.filter(pk=brief.pk).exists()
    assert not Task.objects.filter(brief_id=brief.pk).exists()


def test_an_outsider_cannot_delete_a_brief(api, alice, mallory):
    brief = make_brief(alice)
    assert api(mallory).delete(f"/api/briefs/{brief.pk}").status_code == 404
    assert Brief.objects.filter(pk=brief.pk).exists()


def test_task_list_filters_by_role_and_status(api, alice, bob):
    brief = make_brief(alice)
    make_task(brief, title="Webhook", role="dev")
    make_task(brief, title="Sheet design", role="designer")
    done = make_task(brief, title="Tests", role="dev")
    Task.objects.filter(pk=done.pk).update(status="done")
    body = api(bob).get(f"/api/briefs/{brief.pk}/tasks?role=dev&status=todo").json()
    assert body["total"] == 1
    assert [t["title"] for t in body["tasks"]] == ["Webhook"]


@pytest.mark.parametrize("query", ["role=ceo", "status=blocked"])
def test_task_list_rejects_unknown_filter_values(api, alice, query):
    brief = make_brief(alice)
    response = api(alice).get(f"/api/briefs/{brief.pk}/tasks?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == query.split("=")[0]


def test_task_list_of_another_orgs_brief_is_not_found(api, alice, mallory):
    brief = make_brief(alice, tasks=1)
    assert api(mallory).get(f"/api/briefs/{brief.pk}/tasks").status_code == 404


def test_tasks_get_increasing_keys(api, alice):
    brief = make_brief(alice)
    keys = [
        api(alice)
        .post(f"/api/briefs/{brief.pk}/tasks", {"role": "dev", "title": f"T{n}"})
        .json()["key"]
        for n in range(3)
    ]
    assert keys == ["APP-1", "APP-2", "APP-3"]


def test_creating_a_task_validates_its_role(api, alice):
    brief = make_brief(alice)
    response = api(alice).post(f"/api/briefs/{brief.pk}/tasks", {"role": "ceo", "title": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "role"


def test_a_developer_cannot_add_tasks_to_a_pms_brief(api, alice, bob):
    brief = make_brief(alice)
    response = api(bob).post(f"/api/briefs/{brief.pk}/tasks", {"role": "dev", "title": "x"})
    assert response.status_code == 403


def test_a_pm_updates_and_deletes_a_task(api, alice):
    brief = make_brief(alice)
    task = make_task(brief, title="Webhook")
    response = api(alice).patch(f"/api/tasks/{task.pk}", {"status": "in_progress"})
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert api(alice).delete(f"/api/tasks/{task.pk}").status_code == 204
    assert api(alice).get(f"/api/tasks/{task.pk}").status_code == 404


def test_another_orgs_task_is_not_found(api, alice, mallory):
    task = make_task(make_brief(alice), title="Webhook")
    assert api(mallory).patch(f"/api/tasks/{task.pk}", {"status": "done"}).status_code == 404


def test_an_unchanged_brief_answers_304_to_its_etag(api, alice):
    brief = make_brief(alice, tasks=3)
    client = api(alice)
    first = client.get(f"/api/briefs/{brief.pk}")
    assert first["ETag"]
    again = client.get(f"/api/briefs/{brief.pk}", **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    client.patch(f"/api/briefs/{brief.pk}", {"name": "Renamed"})
    changed = client.get(f"/api/briefs/{brief.pk}", **{"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
