"""Fixtures for the reliability tests: DRIFT served by a real daphne process over a
database of its own, so that concurrent requests really run in parallel."""

import os
from collections.abc import Iterator

import pytest

from tests.reliability.servers import (
    DriftServer,
    create_postgres_database,
    drift_env,
    prepare_database,
    sqlite_url,
)


class Served:
    """A running DRIFT plus the org it was seeded with (ids and tokens)."""

    def __init__(self, server: DriftServer, seed: dict[str, str]) -> None:
        self.server = server
        self.seed = seed

    def submission(self, **overrides: object) -> dict:
        body = {
            "briefId": self.seed["brief"],
            "userId": self.seed["dev"],
            "userName": "Bob Dev",
            "role": "dev",
            "summary": ["Implemented the Stripe webhook handler"],
            "duration": 30,
            "activities": [
                {
                    "app": "Cursor",
                    "title": "stripe-webhook.ts",
                    "summary": "Edited",
                    "duration": 30,
                    "timestamp": 1706745600000,
                }
            ],
        }
        return {**body, **overrides}


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """DRIFT on the suite's own backing services: SQLite (a file of its own) in the
    embedded run; PostgreSQL and Redis when the suite runs with them. A test module
    sets more environment in `SERVED_ENV`."""
    database, drop = os.environ.get("DATABASE_URL", ""), None
    if database.startswith("postgres"):
        database, drop = create_postgres_database(database)
    env = drift_env(
        database_url=database or sqlite_url(),
        redis_url=os.environ.get("REDIS_URL", ""),
        **{
            "RATE_LIMIT_SUBMISSIONS_CREATE": "1000/hour",
            "DRIFT_MATCH_WAIT_MS": "0",
            **getattr(request.module, "SERVED_ENV", {}),
        },
    )
    seed = prepare_database(env)
    server = DriftServer(env)
    yield Served(server, seed)
    server.stop()
    if drop:
        drop()
