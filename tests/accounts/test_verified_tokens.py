"""A verified token's user and claims are reused for at most `AUTH_CACHE_SECONDS`, never
past the token's `exp`: a deactivated user or an expired token is refused within that
bound, and a steady client does not pay for verifying and reading its user each time."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tokens import issue_local

pytestmark = pytest.mark.django_db


def test_a_steady_client_reads_its_user_once_within_the_bound(settings, api, alice):
    settings.AUTH_CACHE_SECONDS = 60
    client = api(alice)
    assert client.post("/api/auth/session").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.post("/api/auth/session").json()["userId"] == alice.pk
    assert len(captured) == 0


def test_a_deactivated_user_is_refused_within_the_bound(settings, api, alice):
    settings.AUTH_CACHE_SECONDS = 1
    client = api(alice)
    assert client.get("/api/briefs").status_code == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)  # as the admin does
    time.sleep(1.05)
    refused = client.get("/api/briefs")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "UNAUTHORIZED"


def test_a_verified_token_is_refused_once_it_expires(settings, api, alice):
    settings.AUTH_CACHE_SECONDS = 60
    settings.JWT_LEEWAY_SECONDS = 0
    token, ttl = issue_local(user_id=alice.pk, org_id=alice.organization_id, ttl=2)
    client = api(token=token)
    assert client.get("/api/briefs").status_code == 200
    time.sleep(ttl + 1)
    assert client.get("/api/briefs").status_code == 401
