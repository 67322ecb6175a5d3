"""One error envelope from every layer, and a request id on every response."""

import pytest
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from tests.factories import make_brief


class ExplodingApiView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


def exploding_django_view(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [
    path("boom/api", ExplodingApiView.as_view()),
    path("boom/django", exploding_django_view),
    path("", include("drift.urls")),
]
handler500 = "drift.errors.handler500"


def envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["requestId"] == response["X-Request-ID"]
    return error


@pytest.mark.django_db
def test_an_unknown_url_is_a_json_404(api, bob):
    envelope(api(bob).get("/api/nothing-here"), 404, "NOT_FOUND")


@pytest.mark.django_db
def test_a_wrong_method_is_a_json_405(api, bob):
    envelope(api(bob).delete("/api/submissions"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.django_db
def test_malformed_json_is_a_validation_error(api, alice):
    client = api(alice)
    response = client.client.post(
        "/api/briefs", "{not json", content_type="application/json", headers=client.headers
    )
    envelope(response, 400, "VALIDATION_ERROR")


@pytest.mark.django_db
def test_a_form_body_is_an_unsupported_media_type(api, alice):
    client = api(alice)
    response = client.client.post("/api/briefs", {"name": "x"}, headers=client.headers)
    envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.django_db
@pytest.mark.urls("tests.test_errors")
@pytest.mark.parametrize("url", ["/boom/api", "/boom/django"])
def test_a_crash_is_a_500_without_internals(client, url):
    client.raise_request_exception = False
    response = client.get(url)
    error = envelope(response, 500, "INTERNAL_ERROR")
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["message"] == "Internal server error."


@pytest.mark.django_db
def test_the_clients_request_id_is_echoed(api, alice):
    brief = make_brief(alice)
    response = api(alice).get(f"/api/briefs/{brief.pk}", **{"X-Request-ID": "desk-42"})
    assert response["X-Request-ID"] == "desk-42"


@pytest.mark.django_db
def test_an_unsafe_request_id_is_replaced(api, alice):
    response = api(alice).get("/api/briefs", **{"X-Request-ID": "bad id\nwith newline"})
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32
