"""Server events over `/ws`, caused through the real HTTP API, as the spec shapes them."""

import re
from typing import Any

import pytest
from django.db import transaction

from briefs import services as brief_services
from realtime.models import Event
from realtime.services import event_head
from tests.factories import ORG, OTHER_ORG, make_brief, make_submission, make_task, stripe_payload
from tests.realtime.conftest import Sockets, call, receive

# Matching runs when the submission commits: in-process on the embedded default,
# on a real Celery worker with Redis.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def apple_pay(alice: Any) -> Any:
    brief = make_brief(alice)
    make_task(brief, title="Stripe webhook setup", description="Implement webhook handler")
    make_task(brief, title="Error handling", description="Handle failed payments")
    return brief


@pytest.fixture
def webhook(apple_pay: Any) -> Any:
    return apple_pay.tasks.get(title="Stripe webhook setup")


@pytest.fixture
def errors(apple_pay: Any) -> Any:
    return apple_pay.tasks.get(title="Error handling")


@pytest.fixture
def submission(apple_pay: Any, bob: Any) -> Any:
    return make_submission(apple_pay, bob)


def spec_part(frame: dict[str, Any]) -> dict[str, Any]:
    """The spec's `{"type", "payload"}` of a frame, checking our additions on the way."""
    assert isinstance(frame["id"], int)
    assert TS.match(frame["ts"])
    return {"type": frame["type"], "payload": frame["payload"]}


async def test_a_submission_through_the_api_reaches_the_org_in_order(
    sockets: Sockets, api: Any, alice: Any, bob: Any, apple_pay: Any
) -> None:
    pm, desktop = await sockets.join(alice), await sockets.join(bob)
    response = await call(api(bob).post, "/api/submissions", stripe_payload(apple_pay, bob))
    assert response.status_code == 201
    submission_id, matched = response.json()["id"], response.json()["matchedTasks"]
    assert matched  # which tasks is the matcher's business; the events must carry them
    for ws in (pm, desktop):
        new, tasks, updated = [await receive(ws, timeout=15) for _ in range(3)]
        assert spec_part(new) == {
            "type": "submission:new",
            "payload": {
                "submissionId": submission_id,
                "briefId": str(apple_pay.pk),
                "userId": bob.pk,
                "userName": "Max Mustermann",
            },
        }
        assert spec_part(tasks) == {
            "type": "tasks:updated",
            "payload": {"briefId": str(apple_pay.pk), "taskIds": matched},
        }
        assert spec_part(updated) == {
            "type": "submission:updated",
            "payload": {
                "submissionId": submission_id,
                "status": "pending",
                "matchedTasks": matched,
                "matchStatus": "matched",
            },
        }
        assert [tasks["id"], updated["id"]] == [new["id"] + 1, new["id"] + 2]


async def test_an_event_carries_the_request_id_of_the_request_that_caused_it(
    sockets: Sockets, api: Any, alice: Any, bob: Any, apple_pay: Any
) -> None:
    ws = await sockets.join(alice)
    payload = stripe_payload(apple_pay, bob)
    await call(api(bob).post, "/api/submissions", payload, **{"X-Request-ID": "desk-42"})
    frame = await receive(ws, timeout=15)
    assert frame["type"] == "submission:new"
    assert frame["requestId"] == "desk-42"


async def test_approving_announces_the_tasks_then_the_submission(
    sockets: Sockets, api: Any, alice: Any, bob: Any, submission: Any, webhook: Any
) -> None:
    ws = await sockets.join(bob)
    response = await call(
        api(alice).patch,
        f"/api/submissions/{submission.pk}",
        {"status": "approved", "matchedTasks": [str(webhook.pk)]},
    )
    assert response.status_code == 200
    tasks, updated = await receive(ws), await receive(ws)
    assert spec_part(tasks) == {
        "type": "tasks:updated",
        "payload": {"briefId": str(submission.brief_id), "taskIds": [str(webhook.pk)]},
    }
    assert spec_part(updated) == {
        "type": "submission:updated",
        "payload": {
            "submissionId": str(submission.pk),
            "status": "approved",
            "matchedTasks": [str(webhook.pk)],
        },
    }
    assert "requestId" in updated


async def test_rejecting_announces_the_status_as_the_spec_shows(
    sockets: Sockets, api: Any, alice: Any, bob: Any, submission: Any
) -> None:
    ws = await sockets.join(bob)
    await call(api(alice).patch, f"/api/submissions/{submission.pk}", {"status": "rejected"})
    assert spec_part(await receive(ws)) == {
        "type": "submission:updated",
        "payload": {"submissionId": str(submission.pk), "status": "rejected"},
    }
    assert await ws.receive_nothing(timeout=0.3)


async def test_patching_a_task_announces_it(
    sockets: Sockets, api: Any, alice: Any, carol: Any, errors: Any
) -> None:
    ws = await sockets.join(carol)
    response = await call(api(alice).patch, f"/api/tasks/{errors.pk}", {"status": "in_progress"})
    assert response.status_code == 200
    assert spec_part(await receive(ws)) == {
        "type": "tasks:updated",
        "payload": {"briefId": str(errors.brief_id), "taskIds": [str(errors.pk)]},
    }


async def test_another_org_receives_nothing(
    sockets: Sockets, api: Any, alice: Any, bob: Any, mallory: Any, submission: Any, webhook: Any
) -> None:
    outsider, insider = await sockets.join(mallory), await sockets.join(alice)
    await call(api(bob).post, "/api/submissions", stripe_payload(submission.brief, bob))
    await call(api(alice).patch, f"/api/tasks/{webhook.pk}", {"title": "Webhooks"})
    await call(api(alice).patch, f"/api/submissions/{submission.pk}", {"status": "approved"})
    seen = [(await receive(insider, timeout=15))["type"] for _ in range(5)]
    assert seen.count("submission:new") == 1
    assert await outsider.receive_nothing(timeout=0.5)


async def test_ids_increase_within_each_org_on_their_own(
    sockets: Sockets, api: Any, alice: Any, mallory: Any, errors: Any
) -> None:
    theirs = await call(make_brief, mallory)
    their_task = await call(make_task, theirs, title="Globex task")
    ours, theirs = await call(event_head, org_id=ORG), await call(event_head, org_id=OTHER_ORG)
    assert (ours, theirs) == (2, 1)  # the tasks created above
    ours_ws, theirs_ws = await sockets.join(alice), await sockets.join(mallory)
    for title in ("One", "Two"):
        await call(api(alice).patch, f"/api/tasks/{errors.pk}", {"title": title})
    await call(api(mallory).patch, f"/api/tasks/{their_task.pk}", {"title": "Uno"})
    assert [(await receive(ours_ws))["id"] for _ in range(2)] == [3, 4]
    assert (await receive(theirs_ws))["id"] == 2


async def test_a_rolled_back_change_emits_nothing(
    sockets: Sockets, alice: Any, bob: Any, errors: Any
) -> None:
    ws = await sockets.join(bob)

    def change_then_fail() -> None:
        with transaction.atomic():
            brief_services.task_update(task=errors, user=alice, changes={"status": "done"})
            raise RuntimeError("something after the change failed")

    with pytest.raises(RuntimeError):
        await call(change_then_fail)
    assert await ws.receive_nothing(timeout=0.5)
    assert (
        await call(
            Event.objects.filter(type="tasks:updated", payload__taskIds=[str(errors.pk)]).count
        )
        == 1
    )  # its creation
    await call(brief_services.task_update, task=errors, user=alice, changes={"title": "Ok"})
    assert (await receive(ws))["id"] == 3
