"""A brief's stamp mirrored in Redis (`drift.stamps`): a repeat GET or a 304 of a brief's
views reads it in the rate limit's round trip and asks the database nothing, and the
copy is never older than what has committed: writes drop it, another org's members
never see through it, a reader that raced a write does not put its old stamp back, and
Redis going away leaves the database answering.

Each test runs on a Redis server of its own (real, on a free port), whichever database
the suite runs on.
"""

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request

from briefs.representations import BRIEF_STAMPS
from drift import stamps
from tests.factories import make_brief
from tests.reliability.servers import RedisServer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

VIEWS = ["", "/tasks", "/metrics", "/submissions"]


@pytest.fixture
def redis_server(settings: Any) -> Iterator[RedisServer]:
    """A private Redis as this process's cache (rate limits and mirrored stamps)."""
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def brief(alice: Any) -> Any:
    return make_brief(alice)


@pytest.fixture
def client(redis_server, settings, api, alice):
    """Alice's client, her token verified once (as a server keeps it)."""
    settings.AUTH_CACHE_SECONDS = 60
    client = api(alice)
    assert client.get("/api/briefs?limit=1").status_code == 200
    return client


def mirrored(server: RedisServer) -> dict[str, str]:
    client = redis.Redis.from_url(server.url, decode_responses=True)
    return {key: client.get(key) for key in client.keys("*stamp:brief:*")}


@pytest.mark.parametrize("view", VIEWS)
def test_a_repeat_get_or_304_of_a_brief_view_asks_the_database_nothing(
    redis_server, client, alice, brief, view
):
    url = f"/api/briefs/{brief.pk}{view}"
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
        unchanged = client.get(url, **{"If-None-Match": first["ETag"]})
    assert (again.status_code, again.content, again["ETag"]) == (200, first.content, first["ETag"])
    assert unchanged.status_code == 304
    assert len(captured) == 0
    assert list(mirrored(redis_server).values()) == [f"{brief.stamp} {alice.organization_id}"]


def test_the_copy_expires_after_the_configured_seconds(redis_server, settings, api, alice, brief):
    settings.STAMP_MIRROR_SECONDS = 30
    api(alice).get(f"/api/briefs/{brief.pk}")
    client = redis.Redis.from_url(redis_server.url)
    [key] = client.keys("*stamp:brief:*")
    assert 0 < client.ttl(key) <= 30


def test_with_the_mirror_off_every_get_reads_the_stamp(redis_server, settings, client, brief):
    settings.STAMP_MIRROR_SECONDS = 0
    client.get(f"/api/briefs/{brief.pk}")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/api/briefs/{brief.pk}").status_code == 200
    assert len(captured) == 1
    assert mirrored(redis_server) == {}


def test_a_write_drops_the_copy_and_the_next_get_shows_it(redis_server, api, alice, brief):
    client = api(alice)
    first = client.get(f"/api/briefs/{brief.pk}")
    assert client.post(f"/api/briefs/{brief.pk}/tasks", {"role": "dev", "title": "Refunds"})
    assert mirrored(redis_server) == {}
    after = client.get(f"/api/briefs/{brief.pk}")
    assert after["ETag"] != first["ETag"]
    assert "Refunds" in [task["title"] for task in after.json()["tasks"]]
    assert (
        client.get(f"/api/briefs/{brief.pk}", **{"If-None-Match": first["ETag"]}).status_code == 200
    )


def test_another_orgs_member_gets_404_through_a_copy(redis_server, api, alice, mallory, brief):
    first = api(alice).get(f"/api/briefs/{brief.pk}")
    assert mirrored(redis_server)
    outsider = api(mallory)
    for view in VIEWS:
        url = f"/api/briefs/{brief.pk}{view}"
        assert outsider.get(url).status_code == 404
        assert outsider.get(url, **{"If-None-Match": first["ETag"]}).status_code == 404


def test_a_deleted_brief_is_404_at_once(redis_server, api, alice, brief):
    client = api(alice)
    client.get(f"/api/briefs/{brief.pk}")
    assert client.delete(f"/api/briefs/{brief.pk}").status_code == 204
    assert mirrored(redis_server) == {}
    assert client.get(f"/api/briefs/{brief.pk}").status_code == 404


def test_a_reader_whose_lease_a_write_dropped_does_not_put_its_stamp_back(
    redis_server, rf, api, alice, brief
):
    """A reader misses, takes the lease and reads the stamp; a write commits and drops the
    key; the reader's stamp may be the older one, so the key stays empty for the next."""
    cache = caches["default"]
    request = Request(rf.get("/"))
    keys = [BRIEF_STAMPS.key(cache, brief.pk)]
    stamps.count_and_read(cache, "counter", 60, keys, request)
    lease, read = request.mirrored_stamps
    assert read == {keys[0]: lease}
    BRIEF_STAMPS.forget([brief.pk])
    assert BRIEF_STAMPS.stamp(request, alice.organization_id, brief.pk) == brief.stamp
    assert mirrored(redis_server) == {}


def test_with_redis_gone_gets_and_writes_go_on_from_the_database(redis_server, api, alice, brief):
    client = api(alice)
    first = client.get(f"/api/briefs/{brief.pk}")
    redis_server.stop()
    assert client.patch(f"/api/briefs/{brief.pk}", {"name": "Renamed"}).status_code == 200
    after = client.get(f"/api/briefs/{brief.pk}")
    assert (after.status_code, after.json()["name"]) == (200, "Renamed")
    assert after["ETag"] != first["ETag"]
