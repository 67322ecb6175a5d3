"""Nothing missed across a reconnect: ids, the 24-hour log, `resume`, and ordering."""

import io
from datetime import timedelta
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.utils import timezone

from realtime import events, services
from realtime.models import Event
from tests.factories import ORG, make_brief, make_task
from tests.realtime.conftest import Sockets, call, receive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def task(alice: Any) -> Any:
    return make_task(make_brief(alice), title="Stripe webhook setup")


@pytest.fixture
def other_task(alice: Any) -> Any:
    return make_task(make_brief(alice, name="Design system"), title="Buttons")


async def rename(api: Any, pm: Any, task: Any, *titles: str) -> None:
    for title in titles:
        response = await call(api(pm).patch, f"/api/tasks/{task.pk}", {"title": title})
        assert response.status_code == 200


async def test_a_reconnecting_client_first_gets_what_it_missed_in_order_then_live(
    sockets: Sockets, api: Any, alice: Any, bob: Any, task: Any
) -> None:
    ws = await sockets.join(bob)
    await rename(api, alice, task, "Seen")
    last_seen = (await receive(ws))["id"]
    await ws.disconnect()
    await rename(api, alice, task, "Missed 1", "Missed 2", "Missed 3")

    again = await sockets.join(bob)
    await again.send_json_to({"type": "resume", "since": last_seen})
    missed = [await receive(again) for _ in range(3)]
    assert [frame["id"] for frame in missed] == [last_seen + 1, last_seen + 2, last_seen + 3]
    assert {frame["type"] for frame in missed} == {"tasks:updated"}
    assert all(frame["requestId"] for frame in missed)
    await rename(api, alice, task, "Live")
    assert (await receive(again))["id"] == last_seen + 4
    assert await again.receive_nothing(timeout=0.3)


async def test_since_in_the_auth_frame_resumes_at_once(
    sockets: Sockets, api: Any, alice: Any, bob: Any, task: Any
) -> None:
    head = await call(services.event_head, org_id=ORG)
    await rename(api, alice, task, "Missed 1", "Missed 2")
    ws = await sockets.join(bob, since=head)
    assert [(await receive(ws))["id"] for _ in range(2)] == [head + 1, head + 2]


async def test_a_new_client_that_does_not_resume_gets_only_new_events(
    sockets: Sockets, api: Any, alice: Any, bob: Any, task: Any
) -> None:
    await rename(api, alice, task, "Before")
    ws = await sockets.join(bob)
    assert await ws.receive_nothing(timeout=0.3)
    await rename(api, alice, task, "After")
    assert (await receive(ws))["id"] == await call(services.event_head, org_id=ORG)


async def test_resuming_replays_only_the_subscribed_briefs(
    sockets: Sockets, api: Any, alice: Any, bob: Any, task: Any, other_task: Any
) -> None:
    head = await call(services.event_head, org_id=ORG)
    await rename(api, alice, task, "Ours")
    await rename(api, alice, other_task, "Theirs")
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "subscribe", "topic": f"brief:{other_task.brief_id}"})
    await receive(ws)
    await ws.send_json_to({"type": "resume", "since": head})
    frame = await receive(ws)
    assert frame["id"] == head + 2
    assert frame["payload"]["briefId"] == str(other_task.brief_id)
    assert await ws.receive_nothing(timeout=0.3)


async def test_a_subscription_narrows_the_live_stream_to_the_brief(
    sockets: Sockets, api: Any, alice: Any, bob: Any, task: Any, other_task: Any
) -> None:
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "subscribe", "topic": f"brief:{task.brief_id}"})
    await receive(ws)
    await rename(api, alice, other_task, "Not for bob")
    await rename(api, alice, task, "For bob")
    assert (await receive(ws))["payload"]["briefId"] == str(task.brief_id)
    await ws.send_json_to({"type": "unsubscribe", "topic": f"brief:{task.brief_id}"})
    await receive(ws)
    await rename(api, alice, other_task, "Whole org again")
    assert (await receive(ws))["payload"]["briefId"] == str(other_task.brief_id)


async def test_events_older_than_a_day_are_not_replayed_and_the_client_is_told(
    sockets: Sockets, api: Any, alice: Any, bob: Any, task: Any
) -> None:
    head = await call(services.event_head, org_id=ORG)
    await rename(api, alice, task, "Old", "Recent")
    old = timezone.now() - timedelta(hours=25)
    await call(Event.objects.filter(seq=head + 1).update, created_at=old)
    ws = await sockets.join(bob)
    await ws.send_json_to({"type": "resume", "since": head})
    error = await receive(ws)
    assert (error["type"], error["code"]) == ("error", "EVENTS_EXPIRED")
    assert (await receive(ws))["id"] == head + 2


async def test_live_events_arriving_out_of_order_are_passed_on_in_order(
    sockets: Sockets, bob: Any, task: Any
) -> None:
    """Two processes commit events 1 and 2; the second one's message arrives first."""
    ws = await sockets.join(bob)

    def record() -> Event:
        return services.event_record(
            org_id=ORG,
            brief_id=str(task.brief_id),
            type=events.TASKS_UPDATED,
            payload={"briefId": str(task.brief_id), "taskIds": [str(task.pk)]},
        )

    first, second = await call(record), await call(record)
    layer, group = get_channel_layer(), events.org_group(ORG)
    await layer.group_send(group, events.layer_message(second))
    assert [(await receive(ws))["id"] for _ in range(2)] == [first.seq, second.seq]
    await layer.group_send(group, events.layer_message(first))
    assert await ws.receive_nothing(timeout=0.3)


def test_pruning_drops_events_older_than_a_day(task: Any) -> None:
    Event.objects.update(created_at=timezone.now() - timedelta(hours=25))
    kept = services.event_record(org_id=ORG, brief_id=None, type="tasks:updated", payload={})
    out = io.StringIO()
    call_command("prune_events", stdout=out)
    assert out.getvalue() == f"Deleted {kept.seq - 1} old events.\n"
    assert list(Event.objects.all()) == [kept]
    assert services.event_head(org_id=ORG) == kept.seq
