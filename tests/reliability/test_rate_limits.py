"""CONTRACT §6 rate limits on an atomic shared counter, with the RateLimit headers."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SERVED_ENV = {"RATE_LIMIT_SUBMISSIONS_CREATE": "10/hour"}


def test_30_parallel_submissions_with_a_limit_of_10_create_exactly_10(served):
    """Thirty requests at once through a real server; the counter is Redis when the
    suite runs with it, the server process's memory otherwise."""
    token = served.seed["dev_token"]
    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(
            pool.map(
                lambda _: served.server.request(
                    "POST", "/api/submissions", served.submission(), token=token
                ),
                range(30),
            )
        )
    assert sorted(status for status, _, _ in results) == [201] * 10 + [429] * 20
    refused = next(r for r in results if r[0] == 429)
    assert refused[2]["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(refused[1]["Retry-After"]) >= 1
    _, _, listing = served.server.request(
        "GET", f"/api/briefs/{served.seed['brief']}/submissions", token=token
    )
    assert listing["total"] == 10


@pytest.mark.django_db
def test_a_429_has_the_envelope_retry_after_and_ratelimit_headers(settings, api, alice):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api:read": "2/minute"}
    client = api(alice)
    first = client.get("/api/briefs")
    assert first["RateLimit-Policy"] == '"api-read";q=2;w=60'
    assert first["RateLimit"].startswith('"api-read";r=1;t=')
    client.get("/api/briefs")
    refused = client.get("/api/briefs")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["RateLimit"].startswith('"api-read";r=0;t=')
    assert refused["RateLimit-Policy"] == '"api-read";q=2;w=60'


@pytest.mark.django_db
def test_limits_are_counted_per_user(settings, api, alice, bob):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api:read": "1/minute"}
    assert api(alice).get("/api/briefs").status_code == 200
    assert api(bob).get("/api/briefs").status_code == 200
    assert api(alice).get("/api/briefs").status_code == 429


@pytest.mark.django_db
def test_requests_without_a_user_are_limited_by_client_ip(settings, client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth:login": "2/minute"}
    body = {"username": "nobody", "password": "wrong"}
    codes = [
        client.post("/api/auth/login", body, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes[-1] == 429
    assert 429 not in codes[:2]


def login_codes(client, *forwarded_for: str) -> list[int]:
    body = {"username": "nobody", "password": "wrong"}
    return [
        client.post(
            "/api/auth/login", body, content_type="application/json", HTTP_X_FORWARDED_FOR=ip
        ).status_code
        for ip in forwarded_for
    ]


@pytest.mark.django_db
def test_a_client_cannot_dodge_the_ip_limit_with_its_own_forwarded_for(settings, client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth:login": "2/minute"}
    assert login_codes(client, "10.0.0.1", "10.0.0.2", "10.0.0.3")[-1] == 429


@pytest.mark.django_db
def test_behind_one_proxy_the_address_it_appended_identifies_the_client(settings, client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth:login": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert login_codes(client, "6.6.6.6, 10.0.0.1", "6.6.6.6, 10.0.0.1") == [401, 401]
    assert login_codes(client, "6.6.6.6, 10.0.0.2", "6.6.6.6, 10.0.0.1") == [401, 429]


def test_limits_are_read_from_the_environment():
    env = {**os.environ, "RATE_LIMIT_SUBMISSIONS_CREATE": "7/minute"}
    env.pop("REDIS_URL", None)
    output = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; django.setup();"
            " print(settings.RATE_LIMITS['submissions:create'])",
        ],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "drift.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == "7/minute"
