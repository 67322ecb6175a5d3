"""Submitting a work session through `POST /api/submissions`."""

import json
import re

import pytest

from briefs.models import Task
from drift.renderers import ORJSONRenderer
from submissions.models import Activity, Snippet, Submission
from submissions.serializers import SubmissionOutput
from tests.factories import make_brief, make_task, stripe_payload

# Matching runs when the submission's transaction commits, as in production: in-process
# on the embedded default, on a real worker with Redis.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]

RESPONSE_KEYS = {
    "id",
    "briefId",
    "userId",
    "userName",
    "role",
    "summary",
    "duration",
    "activities",
    "matchedTasks",
    "status",
    "createdAt",
    "matchStatus",
    "matches",
    "needsReview",
}


@pytest.fixture
def apple_pay(alice):
    brief = make_brief(alice)
    make_task(
        brief,
        title="Stripe webhook setup",
        description="Implement webhook handler for Apple Pay events",
    )
    make_task(
        brief,
        title="Payment sheet design",
        role="designer",
        description="Design the Apple Pay button in Figma",
    )
    return brief


def test_the_specs_example_submission_round_trips(api, bob, apple_pay):
    payload = stripe_payload(apple_pay, bob)
    response = api(bob).post("/api/submissions", payload)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert response["Location"] == f"/api/submissions/{body['id']}"
    for key in ("briefId", "userId", "userName", "role", "summary", "duration", "activities"):
        assert body[key] == payload[key], key
    assert body["status"] == "pending"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body["createdAt"])
    detail = api(bob).get(response["Location"]).json()
    # The detail adds its audit trail (`history`), additively.
    assert isinstance(detail.pop("history"), list)
    assert detail == body


def test_matching_links_the_work_to_its_task_and_starts_it(api, bob, apple_pay):
    webhook = apple_pay.tasks.get(title="Stripe webhook setup")
    body = api(bob).post("/api/submissions", stripe_payload(apple_pay, bob)).json()
    assert body["matchStatus"] == "matched"
    assert body["matchedTasks"] == [str(webhook.pk)]
    match = body["matches"][0]
    assert match["taskId"] == str(webhook.pk)
    assert 0 < match["confidence"] <= 1
    assert match["reason"]
    webhook.refresh_from_db()
    assert webhook.status == Task.Status.IN_PROGRESS


def test_an_explicit_task_key_is_matched_with_full_confidence(api, bob, apple_pay):
    design = apple_pay.tasks.get(title="Payment sheet design")
    payload = stripe_payload(
        apple_pay, bob, summary=[f"Reviewed {design.key} with the team"], activities=[], snippets=[]
    )
    body = api(bob).post("/api/submissions", payload).json()
    assert body["matches"][0] == {**body["matches"][0], "taskId": str(design.pk), "confidence": 1.0}


def test_activities_and_snippets_are_stored_in_order(api, bob, apple_pay):
    body = api(bob).post("/api/submissions", stripe_payload(apple_pay, bob)).json()
    apps = list(Activity.objects.filter(submission_id=body["id"]).values_list("app", flat=True))
    assert apps == ["Cursor", "Chrome", "Terminal"]
    assert Snippet.objects.filter(submission_id=body["id"]).count() == 1


def test_secrets_on_screen_are_redacted_before_storage(api, bob, apple_pay):
    payload = stripe_payload(
        apple_pay,
        bob,
        snippets=[
            {
                "text": "STRIPE_KEY=sk_live_51Habcdefghijklmnop1234 password: hunter2hunter2",
                "context": "terminal",
            }
        ],
    )
    body = api(bob).post("/api/submissions", payload).json()
    text = Snippet.objects.get(submission_id=body["id"]).text
    assert text == "STRIPE_KEY=[REDACTED:stripe-key] password: [REDACTED:password]"


def test_a_submission_of_another_user_is_forbidden(api, bob, carol, apple_pay):
    response = api(bob).post("/api/submissions", stripe_payload(apple_pay, carol))
    assert response.status_code == 403
    assert Submission.objects.count() == 0


def test_a_brief_of_another_org_is_not_found(api, apple_pay, mallory):
    response = api(mallory).post("/api/submissions", stripe_payload(apple_pay, mallory))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_an_unknown_brief_is_not_found(api, bob, apple_pay):
    payload = stripe_payload(apple_pay, bob, briefId="00000000-0000-4000-8000-000000000000")
    assert api(bob).post("/api/submissions", payload).status_code == 404


def test_submitting_needs_a_token(api, bob, apple_pay):
    assert api().post("/api/submissions", stripe_payload(apple_pay, bob)).status_code == 401


def error_of(response):
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    return error["details"]


def test_a_bad_field_deep_in_the_payload_is_named_by_its_path(api, bob, apple_pay):
    payload = stripe_payload(apple_pay, bob)
    payload["activities"][2]["duration"] = "long"
    details = error_of(api(bob).post("/api/submissions", payload))
    assert details["field"] == "activities[2].duration"
    assert details["issue"] == "A valid integer is required."


def test_every_bad_field_is_listed(api, bob, apple_pay):
    payload = stripe_payload(apple_pay, bob, briefId="nope", role="ceo")
    del payload["duration"]
    details = error_of(api(bob).post("/api/submissions", payload))
    assert {e["field"] for e in details["errors"]} == {"briefId", "role", "duration"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"summary": ["line"] * 21}, "summary"),
        ({"snippets": [{"text": "x", "context": "code"}] * 6}, "snippets"),
        ({"snippets": [{"text": "x" * 501, "context": "code"}]}, "snippets[0].text"),
        ({"snippets": [{"text": "x", "context": "email"}]}, "snippets[0].context"),
        ({"duration": -1}, "duration"),
        ({"summary": "not a list"}, "summary"),
    ],
)
def test_payload_limits_are_enforced(api, bob, apple_pay, change, field):
    payload = stripe_payload(apple_pay, bob, **change)
    assert error_of(api(bob).post("/api/submissions", payload))["field"] == field


def test_more_than_1000_activities_is_refused(api, bob, apple_pay):
    activity = {
        "app": "Cursor",
        "title": "a.py",
        "summary": "",
        "duration": 1,
        "timestamp": 1706745600000,
    }
    payload = stripe_payload(apple_pay, bob, activities=[activity] * 1001)
    assert error_of(api(bob).post("/api/submissions", payload))["field"] == "activities"


def test_1000_activities_are_accepted(api, bob, apple_pay):
    activities = [
        {
            "app": "Cursor",
            "title": f"file{i}.py",
            "summary": "Edited",
            "duration": 1,
            "timestamp": 1706745600000 + i,
        }
        for i in range(1000)
    ]
    response = api(bob).post(
        "/api/submissions", stripe_payload(apple_pay, bob, activities=activities)
    )
    assert response.status_code == 201
    assert len(response.json()["activities"]) == 1000


def test_a_body_over_5_mb_is_refused_before_it_is_read(api, bob, apple_pay):
    body = json.dumps(stripe_payload(apple_pay, bob, padding="x" * (5 * 1024 * 1024)))
    response = api(bob).client.post(
        "/api/submissions", body, content_type="application/json", headers=api(bob).headers
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_the_submission_limit_per_hour_answers_429(api, bob, apple_pay, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submissions:create": "2/hour"}
    client = api(bob)
    statuses = [
        client.post("/api/submissions", stripe_payload(apple_pay, bob)).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    response = client.post("/api/submissions", stripe_payload(apple_pay, bob))
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(response["Retry-After"]) > 0


def test_a_post_answers_the_serializers_rendering_of_what_it_stored(settings, api, alice, bob):
    """The 201 is built from the rows as stored (secrets redacted) and the match, not
    read back: byte for byte what `SubmissionOutput`, the schema's source, gives."""
    settings.MATCH_WAIT_MS = 5000
    brief = make_brief(alice)
    make_task(brief, title="Stripe webhook handler for Apple Pay")
    payload = stripe_payload(brief, bob)
    payload["activities"][0]["title"] = "export STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    response = api(bob).post("/api/submissions", payload)
    assert response.status_code == 201
    submission = Submission.objects.with_details().get(pk=response.json()["id"])
    assert response.content == ORJSONRenderer().render(SubmissionOutput(submission).data)
    assert "sk_live" not in response.content.decode()
    assert response.json()["matchStatus"] == "matched"
