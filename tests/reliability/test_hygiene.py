"""Issue 6 §8: production settings pass `check --deploy`, local tokens in production
fail it, CORS only for configured origins, and JSON logs with request ids that never
hold a token."""

import json
import logging
import secrets
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO

import pytest

from drift.logging import JsonFormatter, RedactSecretsFilter
from tests.reliability.servers import (
    BASE_DIR,
    DriftServer,
    drift_env,
    prepare_database,
    sqlite_url,
)

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "api.drift.app",
    "CSRF_TRUSTED_ORIGINS": "https://api.drift.app",
    "CLERK_JWKS_URL": "https://clerk.drift.app/.well-known/jwks.json",
    "CLERK_ISSUER": "https://clerk.drift.app",
    "LOCAL_AUTH_ENABLED": "false",
    "BEHIND_TLS_PROXY": "true",
    "HTTPS_ONLY": "true",
    "CORS_ALLOWED_ORIGINS": "https://app.drift.app",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=drift_env(database_url=sqlite_url(), **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_local_tokens_on_and_debug_off():
    result = check_deploy(**{**PRODUCTION, "LOCAL_AUTH_ENABLED": "true"})
    assert result.returncode != 0
    assert "drift.E001" in result.stderr


@pytest.fixture
def web_app_origin(settings) -> str:
    settings.CORS_ALLOWED_ORIGINS = ["https://app.drift.test"]
    return "https://app.drift.test"


@pytest.mark.django_db
def test_cors_answers_a_configured_origin(api, alice, web_app_origin):
    response = api(alice).get("/api/briefs", Origin=web_app_origin)
    assert response["Access-Control-Allow-Origin"] == web_app_origin
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.django_db
def test_cors_ignores_any_other_origin(api, alice, web_app_origin):
    response = api(alice).get("/api/briefs", Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_allows_the_headers_the_clients_send(client, web_app_origin):
    response = client.options(
        "/api/submissions",
        headers={
            "Origin": web_app_origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, idempotency-key, if-match",
        },
    )
    assert response.status_code == 200
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "idempotency-key" in allowed
    assert "if-match" in allowed


def test_log_lines_never_hold_a_token_even_in_exceptions():
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("drift.test.redaction")
    logger.addHandler(handler)
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"
    try:
        try:
            raise ValueError(f"bad Authorization: Bearer {jwt_like}")
        except ValueError:
            logger.exception("GET /ws?token=%s failed", "s3cr3t-token")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert "s3cr3t-token" not in line
    assert jwt_like not in line
    assert json.loads(line)["message"] == "GET /ws?token=[redacted] failed"


@pytest.fixture(scope="module")
def logging_server() -> Iterator[DriftServer]:
    env = drift_env(database_url=sqlite_url(), LOG_FORMAT="json", LOG_LEVEL="INFO")
    prepare_database(env)
    server = DriftServer(env)
    yield server
    server.stop()


def test_a_running_server_logs_json_with_request_ids_and_no_tokens(logging_server):
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.Zm9yZ2VkLXNpZ25hdHVyZQ"
    logging_server.request("POST", "/api/auth/session", token=forged, X_Request_ID="req-forged")
    logging_server.request("GET", "/api/nothing?token=s3cr3t-query-token")
    lines = [line for line in logging_server.output().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r["requestId"] == "req-forged" for r in records), lines
    assert all(r["requestId"] for r in records)
    output = logging_server.output()
    assert forged not in output
    assert "s3cr3t-query-token" not in output
