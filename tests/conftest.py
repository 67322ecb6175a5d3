"""Shared fixtures: a PM (alice), a developer (bob) and a designer (carol) of one org,
and mallory, a PM of another org; `api(user)` (or `api(token=...)`) is an HTTP client
holding that user's token."""

import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, User
from tests.factories import OTHER_ORG, make_user, token_for

# Tests sign in with local tokens; the servers and commands they start inherit this.
os.environ.setdefault("LOCAL_AUTH_ENABLED", "true")


class Api:
    """A JSON client for the DRIFT API, as a desktop or web client would call it."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return call(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self.request("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.request("post", path, body, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.request("patch", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.request("delete", path, **headers)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    """Local tokens on, the offline matcher, generous rate limits, a cache namespace of
    its own, no cache of verified tokens, a fast hasher.

    A fresh key prefix, not `cache.clear()`: on Redis, clearing would also wipe the
    Celery broker's queues. Tests of throttling set their own limits.
    """
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/hour")
    settings.LOCAL_AUTH_ENABLED = True
    # An OPENAI_API_KEY in the shell must not send the suite's work to a real model.
    settings.MATCHER = "lexical"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}
    # Each token verified afresh: a user cached by one test must not leak into the next
    # (tokens signed in the same second are equal). Tests of that cache turn it on.
    settings.AUTH_CACHE_SECONDS = 0


@pytest.fixture(scope="session")
def matching_worker(django_db_setup: None, django_db_blocker: Any) -> Any:
    """A real Celery worker (in a thread, on the Redis broker) when `REDIS_URL` is set;
    without it Celery runs tasks in-process and no worker is needed."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    from drift.celery import app

    # Tasks an earlier run queued for submissions of its own, long gone, would come first.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app


@pytest.fixture
def alice(db: None) -> User:
    return make_user("user_alice", role=Role.PM, name="Alice PM")


@pytest.fixture
def bob(db: None) -> User:
    return make_user("user_bob", role=Role.DEV, name="Bob Dev")


@pytest.fixture
def carol(db: None) -> User:
    return make_user("user_carol", role=Role.DESIGNER, name="Carol Designer")


@pytest.fixture
def mallory(db: None) -> User:
    return make_user("user_mallory", role=Role.PM, org=OTHER_ORG, name="Mallory Outsider")


@pytest.fixture
def api() -> Callable[[User | None], Api]:
    def make(user: User | None = None, *, token: str | None = None) -> Api:
        return Api(token_for(user) if user else token)

    return make
