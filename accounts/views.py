"""Identity endpoints: the desktop app's session check and local password login."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import LoginInput, LoginOutput, SessionOutput
from accounts.services import user_login
from drift.api import errors, validated


class SessionView(APIView):
    @extend_schema(
        operation_id="auth_session",
        request=None,
        responses={200: SessionOutput, **errors(401, 429)},
        description="Validate the token and return the DRIFT user it speaks for, "
        "creating or refreshing that user.",
    )
    def post(self, request: Request) -> Response:
        data = SessionOutput(request.user).data
        data["orgId"] = request.auth.org_id
        return Response(data)


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scopes = {"POST": "auth:login"}

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="drift"'  # bad credentials are a 401, not DRF's 403

    @extend_schema(
        operation_id="auth_login",
        request=LoginInput,
        responses={200: LoginOutput, **errors(400, 401, 403, 429)},
        description="Exchange a username and password for a local HS256 token "
        "(development and self-hosting without Clerk).",
    )
    def post(self, request: Request) -> Response:
        if not settings.LOCAL_AUTH_ENABLED:
            raise exceptions.PermissionDenied("Local login is disabled on this server.")
        data = validated(LoginInput, request.data)
        issued = user_login(**data)
        if issued is None:
            raise exceptions.AuthenticationFailed("Invalid username or password.")
        token, ttl = issued
        return Response({"access_token": token, "token_type": "bearer", "expires_in": ttl})
