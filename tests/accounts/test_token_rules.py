"""Issue 6 §1: the exact rules for Clerk tokens, and a JWKS fetch that can neither
hang a request nor stall the event loop that serves `/ws`."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from channels.testing import WebsocketCommunicator

from drift.asgi import application
from tests.accounts.clerk import ISSUER, RsaKey, session

pytestmark = pytest.mark.django_db


def status(client: Any, token: str) -> int:
    return session(client, token).status_code


def test_it_allows_5_seconds_of_clock_skew_and_no_more(client, jwks, signing_key):
    now = int(time.time())
    assert status(client, signing_key.sign(exp=now - 3)) == 200
    assert status(client, signing_key.sign(exp=now - 10)) == 401
    assert status(client, signing_key.sign(nbf=now + 3, iat=now + 3)) == 200
    assert status(client, signing_key.sign(nbf=now + 10)) == 401


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "sub"])
def test_it_requires_each_time_claim_and_the_subject(client, jwks, signing_key, claim):
    assert status(client, signing_key.sign(**{claim: None})) == 401


def test_it_wants_the_exact_issuer(client, jwks, signing_key):
    assert status(client, signing_key.sign(iss=ISSUER + "/")) == 401
    assert status(client, signing_key.sign(iss=ISSUER.upper())) == 401


@pytest.mark.parametrize("algorithm", ["RS384", "RS512", "PS256"])
def test_it_accepts_rs256_only(client, jwks, signing_key, algorithm):
    now = int(time.time())
    claims = {"sub": "user_x", "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 60}
    token = jwt.encode(claims, signing_key.private, algorithm=algorithm, headers={"kid": "kid-1"})
    assert status(client, token) == 401


def test_it_refuses_an_hs256_token_keyed_with_the_public_key(client, settings, signing_key):
    """Algorithm confusion: the public PEM used as an HMAC secret."""
    settings.CLERK_JWT_KEY = signing_key.public_pem
    settings.LOCAL_AUTH_ENABLED = False
    now = int(time.time())
    claims = {"sub": "user_x", "iss": ISSUER, "iat": now, "nbf": now, "exp": now + 60}
    # PyJWT refuses to sign with a PEM as an HMAC secret, so sign by hand.
    assert status(client, _hmac_token(claims, signing_key.public_pem.encode())) == 401


def _hmac_token(claims: dict, secret: bytes) -> str:
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = b64(hmac.new(secret, head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + signature).decode()


def test_a_hanging_jwks_url_fails_the_request_within_its_short_timeout(
    client, jwks, signing_key, settings
):
    settings.JWKS_FETCH_TIMEOUT = 0.5
    jwks.delay = 5
    started = time.monotonic()
    assert status(client, signing_key.sign()) == 401
    assert time.monotonic() - started < 2


def test_unknown_kids_refetch_the_key_set_at_most_once_a_minute(client, jwks, signing_key):
    assert status(client, signing_key.sign()) == 200
    for kid in ("kid-x", "kid-y", "kid-z"):
        assert status(client, RsaKey(kid).sign()) == 401
    assert jwks.fetches == 2


def test_a_failed_fetch_is_not_retried_on_every_request(client, jwks, signing_key):
    jwks.failing = True
    for _ in range(3):
        assert status(client, signing_key.sign()) == 401
    assert jwks.fetches == 1


@pytest.mark.django_db(transaction=True)
def test_a_slow_jwks_fetch_does_not_stall_the_event_loop(jwks, signing_key):
    """`/ws` verifies tokens in a worker thread: while the key set takes a second to
    arrive, the event loop keeps running other work."""
    jwks.delay = 1.0
    assert asyncio.run(_ticks_while_authenticating(signing_key.sign())) >= 5


async def _ticks_while_authenticating(token: str) -> int:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ws = WebsocketCommunicator(application, "/ws")
    connected, _ = await ws.connect()
    assert connected
    counting = asyncio.create_task(ticker())
    await ws.send_json_to({"type": "auth", "token": token})
    reply = await ws.receive_json_from(timeout=5)
    counting.cancel()
    await ws.disconnect()
    assert reply["type"] == "connection", reply
    return ticks
