"""Fixtures for token tests: one signing key per module and a JWKS server per test."""

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.jwks import key_set
from tests.accounts.clerk import ISSUER, JwksServer, RsaKey


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
