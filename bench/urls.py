"""DRIFT's URLs plus the ceilings `bench/serving.py` measures against, on the same server:
(a) a bare small JSON view, (b) the very bytes an endpoint answered, served from memory."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from drift.urls import urlpatterns as drift_urlpatterns

_bodies: dict[str, bytes] = {}


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def echo(request: HttpRequest, name: str) -> HttpResponse:
    if name not in _bodies:
        _bodies[name] = (Path(os.environ["DRIFT_BENCH_DIR"]) / f"{name}.json").read_bytes()
    return HttpResponse(_bodies[name], content_type="application/json")


urlpatterns = [
    path("bench/bare", bare),
    path("bench/echo/<slug:name>", echo),
    *drift_urlpatterns,
]
