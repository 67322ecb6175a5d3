"""Content negotiation's fast path chooses what DRF's own negotiation chooses, for the
API's renderers and the schema's, whatever `Accept` and `?format=` a client sends."""

import pytest
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

from briefs.views import BriefListView
from drift.negotiation import CommonAcceptNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=2",
    "application/vnd.oai.openapi",
    "text/html",
    "application/xml, */*;q=0.1",
]


def choice(negotiation, request, renderers):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except NotAcceptable:
        return "406"
    return type(renderer), media_type


@pytest.mark.parametrize("view", [BriefListView, SpectacularAPIView])
@pytest.mark.parametrize("query", ["", "?format=json", "?limit=5"])
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_fast_path_chooses_what_drf_chooses(rf, view, query, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    request = Request(rf.get(f"/api/x{query}", **headers))
    renderers = [renderer() for renderer in view.renderer_classes]
    expected = choice(DefaultContentNegotiation(), request, renderers)
    assert choice(CommonAcceptNegotiation(), request, renderers) == expected


def test_a_client_that_accepts_only_html_gets_406(api, alice):
    response = api(alice).get("/api/briefs", Accept="text/html")
    assert response.status_code == 406
    assert response.json()["error"]["code"]
