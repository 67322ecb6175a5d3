"""Long sessions through `POST /api/submissions`: a thousand activities are read as
carefully as one, stored in one go, and cost no more queries than twenty."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_brief, stripe_payload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]


def activity(i: int, **change: Any) -> dict[str, Any]:
    return {
        "app": "Cursor",
        "title": f"src/file_{i}.py",
        "summary": "Edited",
        "duration": 1,
        "timestamp": 1706745600000 + i * 60_000,
        **change,
    }


def submit(api: Any, user: Any, brief: Any, activities: list[dict[str, Any]]) -> Any:
    payload = stripe_payload(brief, user, activities=activities)
    return api(user).post("/api/submissions", payload)


@pytest.fixture
def brief(alice: Any) -> Any:
    return make_brief(alice)


def test_a_thousand_activities_are_stored_in_order_with_secrets_redacted(
    api: Any, bob: Any, brief: Any
) -> None:
    activities = [activity(i) for i in range(1000)]
    activities[500]["title"] = "curl -H 'Authorization: Bearer abcdefghijklmnop1234567890'"
    response = submit(api, bob, brief, activities)
    assert response.status_code == 201
    body = response.json()["activities"]
    stored = api(bob).get(response["Location"]).json()["activities"]
    assert stored == body
    assert [a["timestamp"] for a in stored] == [a["timestamp"] for a in activities]
    assert stored[500]["title"] == "curl -H 'Authorization: Bearer [REDACTED:bearer-token]'"
    assert stored[:2] == activities[:2]


def test_activity_fields_are_read_as_the_schema_defines_them(
    api: Any, bob: Any, brief: Any
) -> None:
    untitled = activity(1)
    del untitled["summary"]
    activities = [
        activity(0, app="  Figma  ", title="  Checkout sheet "),
        untitled,
        activity(2, duration="5"),
        activity(3, duration=2.0, timestamp="1706745600000"),
    ]
    response = submit(api, bob, brief, activities)
    assert response.status_code == 201
    body = response.json()["activities"]
    assert (body[0]["app"], body[0]["title"]) == ("Figma", "Checkout sheet")
    assert body[1]["summary"] == ""
    assert [a["duration"] for a in body[2:]] == [5, 2]
    assert body[3]["timestamp"] == 1706745600000
    assert api(bob).get(response["Location"]).json()["activities"] == body


@pytest.mark.parametrize(
    ("change", "issue"),
    [
        ({"app": "   "}, "This field may not be blank."),
        ({"app": ["Cursor"]}, "Not a valid string."),
        ({"title": "a\x00b"}, "Null characters are not allowed."),
        ({"title": "\ud800"}, "Surrogate characters are not allowed: U+D800."),
        ({"title": "x" * 1001}, "Ensure this field has no more than 1000 characters."),
        ({"duration": -1}, "Ensure this value is greater than or equal to 0."),
        ({"duration": True}, "A valid integer is required."),
        ({"timestamp": None}, "This field may not be null."),
    ],
)
def test_a_bad_activity_among_a_thousand_is_named_with_its_problem(
    api: Any, bob: Any, brief: Any, change: dict[str, Any], issue: str
) -> None:
    activities = [activity(i) for i in range(999)] + [activity(999, **change)]
    response = submit(api, bob, brief, activities)
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details["field"] == f"activities[999].{next(iter(change))}"
    assert details["issue"] == issue
    assert len(details["errors"]) == 1


def test_an_activity_that_is_not_an_object_is_refused(api: Any, bob: Any, brief: Any) -> None:
    response = submit(api, bob, brief, [activity(0), "Cursor"])
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "activities[1]"


def test_a_thousand_activities_take_as_many_queries_as_twenty(
    api: Any, bob: Any, brief: Any, settings: Any
) -> None:
    settings.MATCH_WAIT_MS = 0  # the answer does not wait for matching: no polling
    counts = []
    for size in (20, 1000):
        with CaptureQueriesContext(connection) as queries:
            assert submit(api, bob, brief, [activity(i) for i in range(size)]).status_code == 201
        counts.append(len(queries))
    assert counts[0] == counts[1]
