"""CONTRACT §6 `Idempotency-Key` on POST /api/submissions: the desktop app's offline
queue retries, and no retry ever creates a second submission."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from submissions.idempotency import fingerprint, idempotency_claim
from submissions.models import IdempotencyKey, Submission
from tests.factories import make_brief, stripe_payload


@pytest.fixture
def brief(alice):
    return make_brief(alice, tasks=2)


def submit(api, user, body, key="retry-1"):
    return api(user).post("/api/submissions", body, **{"Idempotency-Key": key})


@pytest.mark.django_db
def test_a_retry_replays_the_first_response_and_creates_nothing(api, bob, brief):
    body = stripe_payload(brief, bob)
    first = submit(api, bob, body)
    again = submit(api, bob, body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(api, bob, brief):
    submit(api, bob, stripe_payload(brief, bob))
    response = submit(api, bob, stripe_payload(brief, bob, duration=99))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_while_the_first_is_in_flight_is_409(api, bob, brief):
    body = stripe_payload(brief, bob)
    idempotency_claim(user=bob, key="retry-1", fingerprint=fingerprint(body))  # in flight
    response = submit(api, bob, body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_claim_whose_request_died_is_taken_over_after_its_lease(api, bob, brief):
    body = stripe_payload(brief, bob)
    idempotency_claim(user=bob, key="retry-1", fingerprint=fingerprint(body))
    IdempotencyKey.objects.update(claimed_at=timezone.now() - timedelta(minutes=5))
    assert submit(api, bob, body).status_code == 201
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_to_their_user(api, bob, carol, brief):
    assert submit(api, bob, stripe_payload(brief, bob)).status_code == 201
    assert submit(api, carol, stripe_payload(brief, carol, role="designer")).status_code == 201
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_refusals_are_not_remembered(api, bob, brief):
    invalid = stripe_payload(brief, bob, duration=-1)
    assert submit(api, bob, invalid).status_code == 400
    someone_else = stripe_payload(brief, bob, userId="user_alice")
    assert submit(api, bob, someone_else).status_code == 403
    assert submit(api, bob, stripe_payload(brief, bob)).status_code == 201
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_a_key_expires_after_24_hours(api, bob, brief):
    body = stripe_payload(brief, bob)
    submit(api, bob, body)
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert submit(api, bob, body).status_code == 201
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_a_malformed_key_is_a_validation_error(api, bob, brief):
    response = submit(api, bob, stripe_payload(brief, bob), key="x" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "Idempotency-Key"


@pytest.mark.django_db
def test_the_prune_command_deletes_expired_keys_only(api, bob, brief):
    submit(api, bob, stripe_payload(brief, bob), key="old")
    submit(api, bob, stripe_payload(brief, bob, duration=5), key="fresh")
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now())
    out = StringIO()
    call_command("prune_idempotency_keys", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_20_concurrent_requests_with_one_key_create_exactly_one_submission(served):
    """Through a real server: PostgreSQL when the suite runs on it, SQLite otherwise."""
    token, body = served.seed["dev_token"], served.submission(duration=42)

    def post(_: int) -> tuple:
        return served.server.request(
            "POST", "/api/submissions", body, token=token, Idempotency_Key="offline-42"
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(post, range(20)))
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {201, 409}, statuses
    created = {body["id"] for status, _, body in results if status == 201}
    assert len(created) == 1
    _, _, listing = served.server.request(
        "GET", f"/api/briefs/{served.seed['brief']}/submissions?limit=100", token=token
    )
    assert [s["id"] for s in listing["submissions"] if s["duration"] == 42] == list(created)
    status, _, replay = post(0)
    assert (status, replay["id"]) == (201, created.pop())
