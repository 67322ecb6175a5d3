"""Issue 6 §6: faults injected for real on loopback, each survived with nothing lost.

Every test here runs DRIFT under daphne with its own services: a redis-server it
stops and starts, Celery workers it SIGKILLs, a PostgreSQL cluster it restarts. The
machine's shared Redis and PostgreSQL are never touched.
"""

import time
from collections.abc import Iterator

import pytest

from tests.reliability.servers import (
    DriftServer,
    PostgresCluster,
    Process,
    RedisServer,
    Worker,
    drift_env,
    prepare_database,
    sqlite_url,
    wait_until,
)

SUBMISSION = {
    "userName": "Bob Dev",
    "role": "dev",
    "summary": ["Worked on task number 2: wrote its description"],
    "duration": 30,
    "activities": [
        {
            "app": "Cursor",
            "title": "task2.py",
            "summary": "Description of task 2",
            "duration": 30,
            "timestamp": 1706745600000,
        }
    ],
}


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Processes a test started; stopped after it, whatever happened."""
    started: list[Process] = []
    yield started
    for process in reversed(started):
        process.stop()


def submit(server: DriftServer, seed: dict) -> tuple[int, dict]:
    body = {**SUBMISSION, "briefId": seed["brief"], "userId": seed["dev"]}
    status, _, response = server.request("POST", "/api/submissions", body, token=seed["dev_token"])
    return status, response


def submission(server: DriftServer, seed: dict, pk: str) -> dict:
    return server.request("GET", f"/api/submissions/{pk}", token=seed["dev_token"])[2]


def matched(server: DriftServer, seed: dict, pk: str) -> dict | None:
    current = submission(server, seed, pk)
    return current if current["matchStatus"] == "matched" else None


def test_redis_down_stores_the_submission_fast_and_matches_it_when_redis_is_back(redis, processes):
    env = drift_env(
        database_url=sqlite_url(), redis_url=redis.url, DRIFT_MATCH_SWEEP_AFTER_SECONDS="0"
    )
    seed = prepare_database(env)
    server = DriftServer(env)
    processes.append(server)

    redis.stop()
    started = time.monotonic()
    status, created = submit(server, seed)
    elapsed = time.monotonic() - started
    assert status == 201
    assert elapsed < 2, f"POST took {elapsed:.2f} s with Redis down"
    assert created["matchStatus"] == "pending"
    status, _, health = server.request("GET", "/healthz")
    assert status == 503
    assert "redis" in health["error"]["message"]

    redis.start()
    processes.append(Worker(env))
    done = wait_until(lambda: matched(server, seed, created["id"]), timeout=30, what="a match")
    assert done["matchedTasks"]
    assert server.request("GET", "/healthz")[0] == 200


def test_a_worker_killed_mid_matching_is_replaced_and_the_match_happens_once(
    redis, processes, tmp_path
):
    marker = tmp_path / "matching-started"
    env = drift_env(
        database_url=sqlite_url(),
        redis_url=redis.url,
        CELERY_VISIBILITY_TIMEOUT="2",
        DRIFT_MATCH_SWEEP_AFTER_SECONDS="3600",  # the redelivery, not the sweeper, recovers
        DRIFT_MATCH_WAIT_MS="0",
        DRIFT_TEST_MARKER=str(marker),
    )
    seed = prepare_database(env)
    server = DriftServer(env)
    processes.append(server)
    doomed = Worker(env, module="tests.reliability.slow_worker")
    processes.append(doomed)

    status, created = submit(server, seed)
    assert status == 201
    wait_until(marker.exists, timeout=30, what="the matcher to start")
    doomed.kill()
    assert submission(server, seed, created["id"])["matchStatus"] == "pending"

    time.sleep(2.5)  # past the visibility timeout: the unacknowledged task is due again
    processes.append(Worker(env))
    done = wait_until(lambda: matched(server, seed, created["id"]), timeout=40, what="a match")
    time.sleep(1)
    history = submission(server, seed, created["id"])["history"]
    assert [event["kind"] for event in history].count("matched") == 1, history
    assert done["matchedTasks"]


def test_postgresql_restarted_under_the_running_server_costs_no_request(processes):
    cluster = PostgresCluster()
    cluster.init()
    cluster.start()
    try:
        env = drift_env(database_url=cluster.url)
        seed = prepare_database(env)
        server = DriftServer(env)
        processes.append(server)
        token = seed["dev_token"]
        for _ in range(5):
            assert server.request("GET", "/api/briefs", token=token)[0] == 200

        cluster.restart()

        statuses = [server.request("GET", "/api/briefs", token=token)[0] for _ in range(10)]
        assert statuses == [200] * 10
        status, _ = submit(server, seed)
        assert status == 201
    finally:
        for process in processes:
            process.stop()
        processes.clear()
        cluster.stop()
