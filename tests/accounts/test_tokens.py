"""Token verification through the public API, against a real local JWKS server."""

import time

import jwt
import pytest

from tests.accounts.clerk import ISSUER, RsaKey, session


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
