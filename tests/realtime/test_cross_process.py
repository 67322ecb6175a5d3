"""Across processes: an event published by another process (here `manage.py shell`, as a
Celery worker finishing a match would) reaches a client connected to this one.

Only meaningful with `REDIS_URL` (channels-redis) and a database server both processes
share; CI's second run has both. The embedded in-memory layer lives in one process.
"""

import asyncio
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from submissions.models import Submission
from tests.factories import make_brief, make_submission, make_task
from tests.realtime.conftest import Sockets, receive

SHARED = bool(settings.REDIS_URL) and connection.vendor != "sqlite"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not SHARED, reason="needs REDIS_URL and PostgreSQL: no other process can publish here"
    ),
]

BASE_DIR = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """This test run's database (pytest-django's `test_…` one) as a `DATABASE_URL`."""
    db = connection.settings_dict
    user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


async def in_another_process(code: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        code,
        cwd=BASE_DIR,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()


@pytest.fixture
def pending(alice: Any, bob: Any) -> Any:
    brief = make_brief(alice)
    make_task(brief, title="Stripe webhook setup", description="Implement webhook handler")
    submission = make_submission(brief, bob)
    Submission.objects.filter(pk=submission.pk).update(
        match_status=Submission.MatchStatus.PENDING, summary=["Stripe webhook setup done"]
    )
    return submission


async def test_a_match_finished_in_another_process_reaches_the_socket(
    sockets: Sockets, alice: Any, pending: Any
) -> None:
    ws = await sockets.join(alice)
    await in_another_process(
        "from submissions.services import submission_match; "
        f"submission_match(submission_id='{pending.pk}')"
    )
    tasks, updated = await receive(ws, timeout=10), await receive(ws, timeout=10)
    assert tasks["type"] == "tasks:updated"
    assert updated["type"] == "submission:updated"
    assert updated["payload"]["submissionId"] == str(pending.pk)
    assert updated["payload"]["matchStatus"] == "matched"
    assert updated["payload"]["matchedTasks"] == tasks["payload"]["taskIds"]
    assert updated["id"] == tasks["id"] + 1
