"""Probes and the API's own documentation."""

from io import StringIO

import pytest
from django.core.management import call_command


def test_health_answers_without_touching_dependencies(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    response = client.get("/healthz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert "redis" in error["message"]
    assert error["details"]["checks"]["database"] == "ok"


def test_the_openapi_schema_is_served(client):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    schema = response.json()
    assert "/api/submissions" in schema["paths"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_work_offline(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()


def test_the_schema_is_valid_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())
