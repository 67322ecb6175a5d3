"""CONTRACT §6 conditional requests: an ETag on every GET, 304 on `If-None-Match`,
and `If-Match` on PATCH of submissions, briefs and tasks (412 when stale), with the
write itself conditional so that two PATCHes sent with one ETag cannot both win."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from briefs import services as brief_services
from briefs.models import Brief
from drift.errors import PreconditionFailed
from tests.factories import make_brief, make_submission, make_task

GETS = [
    "/api/briefs",
    "/api/briefs/{brief}",
    "/api/briefs/{brief}/tasks",
    "/api/briefs/{brief}/submissions",
    "/api/briefs/{brief}/metrics",
    "/api/submissions/{submission}",
    "/api/tasks/{task}",
]


@pytest.fixture
def world(alice, bob):
    brief = make_brief(alice)
    task = make_task(brief, title="Stripe webhook")
    submission = make_submission(brief, bob, activities=2)
    return {"brief": brief.pk, "task": task.pk, "submission": submission.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("path", GETS)
def test_every_get_has_an_etag_and_if_none_match_gives_304(api, alice, world, path):
    client, url = api(alice), path.format(**world)
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get(url, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_a_briefs_etag_changes_when_its_tasks_change(api, alice, world):
    client, url = api(alice), f"/api/briefs/{world['brief']}"
    before = client.get(url)["ETag"]
    client.post(f"/api/briefs/{world['brief']}/tasks", {"role": "dev", "title": "Refunds"})
    assert client.get(url, **{"If-None-Match": before}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("/api/briefs/{brief}", {"name": "Apple Pay, v2"}),
        ("/api/tasks/{task}", {"title": "Stripe webhook, retried"}),
        ("/api/submissions/{submission}", {"status": "approved"}),
    ],
    ids=["brief", "task", "submission"],
)
def test_if_match_lets_the_first_patch_win_and_refuses_the_stale_one(
    api, alice, world, path, change
):
    client, url = api(alice), path.format(**world)
    etag = client.get(url)["ETag"]
    first = client.patch(url, change, **{"If-Match": etag})
    assert first.status_code == 200
    stale = client.patch(url, {**change}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "PRECONDITION_FAILED"
    fresh = client.get(url)["ETag"]
    assert fresh != etag


@pytest.mark.django_db
def test_a_patch_answers_with_the_etag_a_get_would_give(api, alice, world):
    client, url = api(alice), f"/api/tasks/{world['task']}"
    patched = client.patch(url, {"status": "in_progress"}, **{"If-Match": client.get(url)["ETag"]})
    assert patched["ETag"] == client.get(url)["ETag"]


@pytest.mark.django_db
def test_a_patch_without_if_match_is_unconditional(api, alice, world):
    response = api(alice).patch(f"/api/briefs/{world['brief']}", {"name": "Renamed"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_write_is_conditional_even_past_the_first_check(alice, world):
    """Two writers that both passed the ETag check with version 1: the second write
    finds version 2 and changes nothing."""
    first, second = Brief.objects.get(pk=world["brief"]), Brief.objects.get(pk=world["brief"])
    brief_services.brief_update(brief=first, user=alice, changes={"name": "A"}, expected_version=1)
    with pytest.raises(PreconditionFailed):
        brief_services.brief_update(
            brief=second, user=alice, changes={"name": "B"}, expected_version=1
        )
    assert Brief.objects.get(pk=world["brief"]).name == "A"


def test_ten_concurrent_patches_with_one_etag_have_one_winner(served):
    server, token = served.server, served.seed["pm_token"]
    _, _, tasks = server.request("GET", f"/api/briefs/{served.seed['brief']}/tasks", token=token)
    url = f"/api/tasks/{tasks['tasks'][0]['id']}"
    _, headers, _ = server.request("GET", url, token=token)

    def patch(n: int) -> int:
        body = {"title": f"Title {n}"}
        return server.request("PATCH", url, body, token=token, If_Match=headers["ETag"])[0]

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(patch, range(10)))
    assert statuses == [200] + [412] * 9
