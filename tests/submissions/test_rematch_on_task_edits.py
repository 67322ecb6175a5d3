"""A brief's pending submissions are matched again when its tasks change: through the API
and the admin, on commit, once per burst, never touching decided work."""

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from realtime.models import Event
from tests.admin.conftest import give_password
from tests.factories import make_brief, make_task, stripe_payload

# As in production: on commit, in-process on the embedded default, and on a real Celery
# worker (after the debounce) with Redis.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]

WEBHOOK = {
    "role": "dev",
    "title": "Stripe webhook setup",
    "description": "Implement the webhook handler for Apple Pay events",
}


def wait_for(condition: Callable[[], Any], timeout: float = 20) -> Any:
    """Poll until `condition()` holds: at once in-process, after the debounce on a worker."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


def updates_of(submission_id: str) -> list[dict]:
    """The `submission:updated` payloads published for one submission, in order."""
    events = Event.objects.filter(type="submission:updated").order_by("seq")
    return [e.payload for e in events if e.payload["submissionId"] == submission_id]


@pytest.fixture
def brief(alice):
    """A brief whose one task is a designer's, which webhook work does not match."""
    brief = make_brief(alice)
    make_task(brief, role="designer", title="Loyalty badge", description="Illustrate badges")
    return brief


@pytest.fixture
def submit(api, bob, brief) -> Callable[[], str]:
    """Bob submits his webhook session; it is matched to nothing (no such task yet)."""

    def submit() -> str:
        body = api(bob).post("/api/submissions", stripe_payload(brief, bob)).json()
        assert (body["matchStatus"], body["matchedTasks"]) == ("matched", [])
        return body["id"]

    return submit


@pytest.fixture
def runs(caplog) -> Callable[[Any], int]:
    """How many times matching ran again for a brief (its worker's log line)."""
    caplog.set_level(logging.INFO, logger="submissions.tasks")

    def count(brief: Any) -> int:
        return sum(
            r.getMessage().startswith("Re-matched") and str(brief.pk) in r.getMessage()
            for r in caplog.records
        )

    return count


def details(api, user, submission_id: str) -> dict:
    return api(user).get(f"/api/submissions/{submission_id}").json()


def test_a_new_task_is_matched_to_the_pending_work_it_describes(api, alice, bob, brief, submit):
    pending = submit()
    response = api(alice).post(f"/api/briefs/{brief.pk}/tasks", WEBHOOK)
    assert response.status_code == 201
    task_id = response.json()["id"]
    assert wait_for(lambda: details(api, bob, pending)["matchedTasks"]) == [task_id]
    history = details(api, bob, pending)["history"]
    assert [e["kind"] for e in history] == ["matched", "matched"]
    assert history[-1]["tasksAfter"] == [task_id]
    assert updates_of(pending)[-1]["matchedTasks"] == [task_id]
    assert api(alice).get(f"/api/tasks/{task_id}").json()["status"] == "in_progress"


def test_an_edited_task_is_matched_once_its_words_fit(api, alice, bob, brief, submit):
    pending = submit()
    task = (
        api(alice)
        .post(f"/api/briefs/{brief.pk}/tasks", {"role": "dev", "title": "Dark mode toggle"})
        .json()
    )
    response = api(alice).patch(f"/api/tasks/{task['id']}", {"title": WEBHOOK["title"]})
    assert response.status_code == 200
    assert wait_for(lambda: details(api, bob, pending)["matchedTasks"]) == [task["id"]]


def test_decided_submissions_keep_what_their_reviewer_decided(api, alice, bob, brief, submit, runs):
    rejected, pending = submit(), submit()
    api(alice).patch(f"/api/submissions/{rejected}", {"status": "rejected"})
    before = details(api, alice, rejected)
    updates = updates_of(rejected)
    api(alice).post(f"/api/briefs/{brief.pk}/tasks", WEBHOOK)
    assert wait_for(lambda: details(api, bob, pending)["matchedTasks"])
    assert wait_for(lambda: runs(brief)) == 1
    assert details(api, alice, rejected) == before
    assert updates_of(rejected) == updates


def test_a_task_edit_that_changes_no_match_stores_and_announces_nothing(
    api, alice, bob, brief, submit, runs
):
    pending = submit()
    badge = brief.tasks.get()
    before, updates = details(api, bob, pending), updates_of(pending)
    api(alice).patch(f"/api/tasks/{badge.pk}", {"description": "Illustrate the loyalty badges"})
    assert wait_for(lambda: runs(brief)) == 1
    assert details(api, bob, pending) == before
    assert updates_of(pending) == updates


def test_tasks_saved_together_rematch_once(api, client, alice, bob, brief, submit, runs):
    """The brief's admin page saves 30 new task rows in one request and one transaction."""
    pending = submit()
    rows = [WEBHOOK, *({"role": "dev", "title": f"Chore number {n}"} for n in range(29))]
    data = {
        "name": brief.name,
        "description": brief.description,
        "status": brief.status,
        "tasks-TOTAL_FORMS": str(len(rows) + 1),
        "tasks-INITIAL_FORMS": "1",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
    }
    badge = brief.tasks.get()
    for key, value in {"id": badge.pk, "role": "designer", "title": badge.title}.items():
        data[f"tasks-0-{key}"] = str(value)
    for i, row in enumerate(rows, 1):
        data.update({f"tasks-{i}-{k}": v for k, v in {**row, "status": "todo"}.items()})
    data["tasks-0-status"] = "todo"
    client.force_login(give_password(alice))
    response = client.post(f"/admin/briefs/brief/{brief.pk}/change/", data)
    assert response.status_code == 302
    assert brief.tasks.count() == 31
    webhook = brief.tasks.get(title=WEBHOOK["title"])
    assert wait_for(lambda: details(api, bob, pending)["matchedTasks"]) == [str(webhook.pk)]
    # A worker logs its run just after committing it; a second run would come after that.
    assert wait_for(lambda: runs(brief)) == 1
    time.sleep(0.1)
    assert runs(brief) == 1
    assert [e["kind"] for e in details(api, bob, pending)["history"]] == ["matched", "matched"]


def test_tasks_created_in_quick_succession_are_matched_together_on_a_worker(
    api, alice, bob, brief, submit, runs, settings
):
    """A worker waits out the debounce and matches once; in-process, where nothing can
    wait, each request's commit matches at once (so none is ever missed)."""
    pending = submit()
    chores = [{"role": "dev", "title": f"Chore number {n}"} for n in range(4)]
    for row in [*chores, WEBHOOK]:
        assert api(alice).post(f"/api/briefs/{brief.pk}/tasks", row).status_code == 201
    webhook = brief.tasks.get(title=WEBHOOK["title"])
    assert wait_for(lambda: details(api, bob, pending)["matchedTasks"]) == [str(webhook.pk)]
    # A worker logs its run just after committing the matches the API has just shown.
    assert wait_for(lambda: runs(brief)) == (5 if settings.CELERY_TASK_ALWAYS_EAGER else 1)
