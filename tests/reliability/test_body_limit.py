"""CONTRACT §6: a body over 5 MB is answered 413 with the envelope before it is read;
a valid submission just under the limit is accepted."""

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator

from drift.asgi import application
from submissions.models import Submission
from tests.factories import make_brief, stripe_payload

MB = 1024 * 1024


def big_submission(brief, user, size: int) -> dict:
    """A valid submission of about `size` bytes: 1000 activities with long summaries."""
    payload = stripe_payload(brief, user, activities=[])
    per_activity = (size - len(json.dumps(payload))) // 1000
    summary, title = "x" * 4000, "y" * 1000
    app = "z" * (per_activity - 5000 - 110)
    payload["activities"] = [
        {
            "app": app,
            "title": title,
            "summary": summary,
            "duration": 1,
            "timestamp": 1706745600000 + i,
        }
        for i in range(1000)
    ]
    return payload


@pytest.mark.django_db
def test_a_valid_submission_of_4_9_mb_is_accepted(api, bob, alice):
    brief = make_brief(alice, tasks=2)
    payload = big_submission(brief, bob, int(4.9 * MB))
    assert 4.8 * MB < len(json.dumps(payload)) < 5 * MB
    response = api(bob).post("/api/submissions", payload)
    assert response.status_code == 201, response.content[:300]
    assert Submission.objects.get().activities.count() == 1000


@pytest.mark.django_db
def test_a_declared_body_over_5_mb_is_413_with_the_envelope(api, bob, alice):
    brief = make_brief(alice)
    client = api(bob)
    body = json.dumps(stripe_payload(brief, bob, userName="x" * (5 * MB + 10)))
    response = client.client.post(
        "/api/submissions", body, content_type="application/json", headers=client.headers
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "PAYLOAD_TOO_LARGE"
    assert error["requestId"] == response["X-Request-ID"]
    assert not Submission.objects.exists()


def http_scope(headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/submissions",
        "raw_path": b"/api/submissions",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def response_of(app: ApplicationCommunicator) -> tuple[int, dict]:
    start = await app.receive_output(timeout=5)
    body = await app.receive_output(timeout=5)
    return start["status"], json.loads(body["body"])


def test_a_chunked_body_over_5_mb_is_cut_off_under_asgi_before_it_ends():
    """No Content-Length: the body is counted as it arrives, and the answer comes while
    the client is still sending (more_body stays true); the rest is never read."""
    asyncio.run(_chunked_over_the_limit())


async def _chunked_over_the_limit() -> None:
    app = ApplicationCommunicator(application, http_scope([(b"transfer-encoding", b"chunked")]))
    for _ in range(6):
        await app.send_input({"type": "http.request", "body": b" " * MB, "more_body": True})
    status, body = await response_of(app)
    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    await app.wait(timeout=5)


def test_a_declared_length_over_5_mb_is_refused_under_asgi_before_any_body():
    asyncio.run(_declared_over_the_limit())


async def _declared_over_the_limit() -> None:
    app = ApplicationCommunicator(application, http_scope([(b"content-length", b"6000000")]))
    status, body = await response_of(app)
    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    await app.wait(timeout=5)


@pytest.mark.django_db
def test_a_timestamp_beyond_64_bits_is_a_validation_error_not_a_crash(api, bob, alice):
    """Found by the schemathesis run in CI."""
    brief = make_brief(alice)
    payload = stripe_payload(brief, bob)
    payload["activities"][0]["timestamp"] = 3489533092467609824149325384054210560
    response = api(bob).post("/api/submissions", payload)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "activities[0].timestamp"


@pytest.mark.django_db
def test_an_offset_beyond_64_bits_is_a_validation_error_not_a_crash(api, alice):
    response = api(alice).get("/api/briefs?offset=" + "9" * 30)
    assert response.status_code == 400
