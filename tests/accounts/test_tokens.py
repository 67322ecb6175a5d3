"""Token verification through the public API, against a real local JWKS server."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.jwks import key_set

ISSUER = "https://clerk.example.test"


class RsaKey:
    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def jwk(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def sign(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "sub": "user_2clerk",
            "iss": ISSUER,
            "iat": now,
            "nbf": now,
            "exp": now + 60,
            "o": {"id": "org_2clerk", "rol": "admin"},
            "azp": "https://app.drift.test",
            **overrides,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


class JwksServer:
    """Serves `{"keys": [...]}` on loopback and counts the fetches."""

    def __init__(self) -> None:
        self.keys: list[RsaKey] = []
        self.fetches = 0
        self.failing = False
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                time.sleep(server.delay)
                if server.failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                body = json.dumps({"keys": [k.jwk for k in server.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def signing_key() -> RsaKey:
    return RsaKey("kid-1")


@pytest.fixture
def jwks(settings: Any, signing_key: RsaKey) -> Iterator[JwksServer]:
    server = JwksServer()
    server.keys.append(signing_key)
    settings.CLERK_JWKS_URL = server.url
    settings.CLERK_ISSUER = ISSUER
    key_set.cache_clear()
    yield server
    server.close()
    key_set.cache_clear()


def session(client: Any, token: str) -> Any:
    return client.post("/api/auth/session", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.django_db
class TestClerkTokens:
    def test_it_accepts_a_clerk_token_verified_against_the_jwks(self, client, jwks, signing_key):
        response = session(client, signing_key.sign(email="max@example.com", name="Max"))
        assert response.status_code == 200
        assert response.json() == {
            "userId": "user_2clerk",
            "orgId": "org_2clerk",
            "email": "max@example.com",
            "name": "Max",
            "role": "dev",
            "avatarUrl": "",
        }

    def test_it_reads_the_org_from_the_v1_org_id_claim(self, client, jwks, signing_key):
        response = session(client, signing_key.sign(o=None, org_id="org_v1"))
        assert response.json()["orgId"] == "org_v1"

    def test_it_caches_the_key_set(self, client, jwks, signing_key):
        for _ in range(3):
            assert session(client, signing_key.sign()).status_code == 200
        assert jwks.fetches == 1

    def test_it_refetches_the_key_set_on_an_unknown_kid(self, client, jwks, signing_key):
        assert session(client, signing_key.sign()).status_code == 200
        rotated = RsaKey("kid-2")
        jwks.keys.append(rotated)
        assert session(client, rotated.sign()).status_code == 200
        assert jwks.fetches == 2

    def test_it_keeps_the_last_good_keys_when_a_fetch_fails(
        self, client, jwks, signing_key, settings
    ):
        settings.JWKS_CACHE_SECONDS = 0
        assert session(client, signing_key.sign()).status_code == 200
        jwks.failing = True
        assert session(client, signing_key.sign()).status_code == 200

    def test_it_verifies_against_a_pem_key_without_network(self, client, settings, signing_key):
        settings.CLERK_JWT_KEY = signing_key.public_pem
        settings.CLERK_JWKS_URL = "http://127.0.0.1:9/unreachable"
        assert session(client, signing_key.sign()).status_code == 200

    @pytest.mark.parametrize(
        "claims",
        [
            {"exp": int(time.time()) - 60},
            {"nbf": int(time.time()) + 120},
            {"iss": "https://evil.example.test"},
            {"sub": None},
            {"sts": "pending"},
        ],
        ids=["expired", "not-yet-valid", "other-issuer", "no-subject", "pending-session"],
    )
    def test_it_rejects_a_token_with_bad_claims(self, client, jwks, signing_key, claims):
        response = session(client, signing_key.sign(**claims))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"

    def test_it_rejects_a_token_signed_with_another_key(self, client, jwks):
        stranger = RsaKey("kid-1")
        assert session(client, stranger.sign()).status_code == 401

    def test_it_rejects_an_unsigned_token(self, client, jwks):
        now = int(time.time())
        token = jwt.encode(
            {"sub": "user_x", "iat": now, "nbf": now, "exp": now + 60, "iss": ISSUER},
            key=None,
            algorithm="none",
        )
        assert session(client, token).status_code == 401

    def test_it_rejects_an_unauthorized_party(self, client, jwks, signing_key, settings):
        settings.CLERK_AUTHORIZED_PARTIES = ["https://app.drift.test"]
        assert session(client, signing_key.sign(azp="https://evil.test")).status_code == 401
        assert session(client, signing_key.sign(azp=None)).status_code == 200


@pytest.mark.django_db
class TestLocalTokens:
    def test_it_rejects_a_local_token_signed_with_another_secret(self, client, settings):
        now = int(time.time())
        forged = jwt.encode(
            {
                "sub": "user_x",
                "org_id": "org_x",
                "iss": settings.LOCAL_JWT_ISSUER,
                "iat": now,
                "nbf": now,
                "exp": now + 60,
            },
            "another-secret-that-is-long-enough-for-hs256",
            algorithm="HS256",
        )
        assert session(client, forged).status_code == 401

    def test_it_rejects_local_tokens_when_local_auth_is_off(self, client, settings, bob):
        from tests.factories import token_for

        token = token_for(bob)
        settings.LOCAL_AUTH_ENABLED = False
        assert session(client, token).status_code == 401

    def test_it_rejects_a_request_without_a_bearer_token(self, client):
        response = client.post("/api/auth/session")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_it_rejects_a_malformed_authorization_header(self, client):
        response = client.post("/api/auth/session", headers={"Authorization": "Token abc"})
        assert response.status_code == 401

    def test_it_rejects_garbage_as_a_token(self, client):
        assert session(client, "not-a-jwt").status_code == 401
