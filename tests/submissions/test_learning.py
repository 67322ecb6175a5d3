"""Approvals teach matching: work a PM approved for a task makes similar work match it."""

import pytest

from tests.factories import make_brief, make_task, stripe_payload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]


def session(brief, user, line: str) -> dict:
    activity = {
        "app": "Cursor",
        "title": "src/cart/totals.py",
        "summary": "",
        "duration": 30,
        "timestamp": 1706745600000,
    }
    return stripe_payload(brief, user, summary=[line], activities=[activity], snippets=[])


def test_work_like_an_approved_submission_matches_its_task(api, alice, bob):
    brief = make_brief(alice)
    speed = make_task(brief, title="Checkout latency", description="Make the checkout faster")
    make_task(brief, title="Receipt emails", description="Send receipt emails after payment")
    later = "Tuned the cart totals query with an index on line items"

    before = api(bob).post("/api/submissions", session(brief, bob, later)).json()
    assert str(speed.pk) not in before["matchedTasks"]

    taught = (
        api(bob)
        .post(
            "/api/submissions",
            session(brief, bob, "Profiled the cart totals query and added an index on line items"),
        )
        .json()
    )
    response = api(alice).patch(
        f"/api/submissions/{taught['id']}", {"status": "approved", "matchedTasks": [str(speed.pk)]}
    )
    assert response.status_code == 200

    after = api(bob).post("/api/submissions", session(brief, bob, later)).json()
    assert after["matchedTasks"] == [str(speed.pk)]
