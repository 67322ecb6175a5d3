"""Liveness and readiness probes."""

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drift.api import errors
from drift.errors import error_body

HealthOutput = inline_serializer("Health", fields={"status": serializers.CharField()})
ReadinessOutput = inline_serializer(
    "Readiness",
    fields={
        "status": serializers.CharField(),
        "checks": serializers.DictField(child=serializers.CharField()),
    },
)


class ProbeView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class HealthView(ProbeView):
    @extend_schema(operation_id="health", responses={200: HealthOutput})
    def get(self, request: Request) -> Response:
        """The process is up; touches no dependency."""
        return Response({"status": "ok"})


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


class ReadinessView(ProbeView):
    @extend_schema(operation_id="healthz", responses={200: ReadinessOutput, **errors(503)})
    def get(self, request: Request) -> Response:
        """The database and, when configured, Redis (cache, channel layer, broker) answer."""
        probes = {"database": check_database}
        if settings.REDIS_URL:
            probes["redis"] = check_redis
        checks = {}
        for name, probe in probes.items():
            try:
                probe()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"error: {type(exc).__name__}"
        failed = [name for name, result in checks.items() if result != "ok"]
        if failed:
            body = error_body(
                request,
                code="SERVICE_UNAVAILABLE",
                message=f"Unavailable: {', '.join(failed)}.",
                details={"checks": checks},
            )
            return Response(body, status=503)
        return Response({"status": "ok", "checks": checks})
