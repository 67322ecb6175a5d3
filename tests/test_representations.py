"""GET representations decided by version stamps (issue #7 item 3): a 304 or a repeat GET
costs one query (none for a brief's views when Redis mirrors its stamp) and loads no
row; every change a caller can see gives a new ETag and a fresh body, whether it came
through the API or through the services directly (as a Celery worker or another server
process writes: nothing tells this process's cache); bodies are byte for byte what the
output serializers, the schema's source, give; and no caller ever gets what another may
not see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from briefs import services as brief_services
from briefs.metrics import brief_metrics
from briefs.models import Brief, Task
from briefs.serializers import BriefDetailOutput, BriefMetricsOutput, TaskOutput
from drift import stamps
from drift.renderers import ORJSONRenderer
from submissions import services as submission_services
from submissions.matching.base import Match, MatchOutcome
from submissions.models import Submission
from submissions.serializers import SubmissionDetailOutput, SubmissionOutput
from tests.factories import make_brief, make_submission, make_task, stripe_payload

pytestmark = pytest.mark.django_db

render = ORJSONRenderer().render


def brief_detail(ids: dict) -> bytes:
    brief = Brief.objects.prefetch_related("tasks").get(pk=ids["brief"])
    return render(BriefDetailOutput(brief).data)


def brief_tasks(ids: dict) -> bytes:
    tasks = TaskOutput(Task.objects.filter(brief_id=ids["brief"]), many=True).data
    return render({"tasks": tasks, "total": len(tasks)})


def brief_metrics_body(ids: dict) -> bytes:
    return render(BriefMetricsOutput(brief_metrics(Brief.objects.get(pk=ids["brief"]))).data)


def brief_submissions(ids: dict) -> bytes:
    submissions = Submission.objects.filter(brief_id=ids["brief"]).with_details()
    rows = SubmissionOutput(submissions[:50], many=True).data
    return render({"submissions": rows, "total": submissions.count(), "limit": 50, "offset": 0})


def task_detail(ids: dict) -> bytes:
    return render(TaskOutput(Task.objects.get(pk=ids["task"])).data)


def submission_detail(ids: dict) -> bytes:
    submission = Submission.objects.with_details(history=True).get(pk=ids["submission"])
    return render(SubmissionDetailOutput(submission).data)


# Each GET, with the serializer rendering its body must equal.
GETS = {
    "/api/briefs/{brief}": brief_detail,
    "/api/briefs/{brief}/tasks": brief_tasks,
    "/api/briefs/{brief}/metrics": brief_metrics_body,
    "/api/briefs/{brief}/submissions": brief_submissions,
    "/api/tasks/{task}": task_detail,
    "/api/submissions/{submission}": submission_detail,
}


@pytest.fixture
def client(settings, api, alice):
    settings.AUTH_CACHE_SECONDS = 60
    client = api(alice)
    assert client.get("/api/briefs?limit=1").status_code == 200  # token verified once
    return client


@pytest.fixture
def ids(alice, bob):
    brief = make_brief(alice)
    webhook = make_task(brief, title="Stripe webhook")
    make_task(brief, title="Checkout page", role=Role.DESIGNER)
    submission = make_submission(brief, bob, activities=3)
    submission_services.submission_apply_match(
        submission_id=submission.pk,
        outcome=MatchOutcome(
            matches=[Match(task_id=str(webhook.pk), confidence=0.8, reason="Named")],
            matcher="lexical",
        ),
    )
    return {"brief": brief.pk, "task": webhook.pk, "submission": submission.pk}


def snapshot(client, ids: dict) -> dict[str, tuple[str, bytes] | None]:
    """ETag and body of every GET (None when it is gone), each body checked against its
    serializer rendering: nothing stale, nothing off the contract."""
    seen: dict[str, tuple[str, bytes] | None] = {}
    for path, serialized in GETS.items():
        response = client.get(path.format(**ids))
        if response.status_code == 404:
            seen[path] = None
            continue
        assert response.status_code == 200
        assert response.content == serialized(ids), path
        seen[path] = (response["ETag"], response.content)
    return seen


def stamp_queries(path: str) -> int:
    """What a cached GET asks the database: its stamp, unless Redis mirrors it (a
    brief's views, `drift.stamps`; `tests/test_stamp_mirror.py` tests the mirror)."""
    return 0 if path.startswith("/api/briefs/") and stamps.redis_cache() else 1


@pytest.mark.parametrize("path", GETS)
def test_an_unchanged_representation_answers_304_or_its_bytes_from_one_query(client, ids, path):
    url = path.format(**ids)
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again.content == b""
    assert len(captured) == stamp_queries(path)
    with CaptureQueriesContext(connection) as captured:
        repeat = client.get(url)
    assert (repeat.status_code, repeat.content) == (200, first.content)
    assert len(captured) == stamp_queries(path)


def rename_brief(client, alice, ids):
    assert client.patch(f"/api/briefs/{ids['brief']}", {"name": "Renamed"}).status_code == 200


def add_task(client, alice, ids):
    body = {"role": "dev", "title": "Refunds"}
    assert client.post(f"/api/briefs/{ids['brief']}/tasks", body).status_code == 201


def edit_task(client, alice, ids):
    assert client.patch(f"/api/tasks/{ids['task']}", {"title": "Webhooks"}).status_code == 200


def delete_task(client, alice, ids):
    assert client.delete(f"/api/tasks/{ids['task']}").status_code == 204


def submit(client, alice, ids):
    payload = stripe_payload(Brief.objects.get(pk=ids["brief"]), alice)
    assert client.post("/api/submissions", payload).status_code == 201


def approve(client, alice, ids):
    body = {"status": "approved"}
    assert client.patch(f"/api/submissions/{ids['submission']}", body).status_code == 200


def rematch_in_a_service(client, alice, ids):
    submission_services.submission_requeue_match(submission_id=ids["submission"], user=alice)


def match_in_a_service(client, alice, ids):
    other = Task.objects.filter(brief_id=ids["brief"]).exclude(pk=ids["task"]).get()
    outcome = MatchOutcome(
        matches=[Match(task_id=str(other.pk), confidence=0.4, reason="Weak")], matcher="lexical"
    )
    submission_services.submission_requeue_match(submission_id=ids["submission"], user=alice)
    submission_services.submission_apply_match(submission_id=ids["submission"], outcome=outcome)


def edit_task_in_a_service(client, alice, ids):
    task = Task.objects.select_related("brief").get(pk=ids["task"])
    brief_services.task_update(task=task, user=alice, changes={"status": Task.Status.DONE})


BRIEF, TASKS, METRICS, SUBMISSIONS, TASK, SUBMISSION = GETS
CHANGES = [
    (rename_brief, {BRIEF}),
    (add_task, {BRIEF, TASKS, METRICS}),
    (edit_task, {BRIEF, TASKS, METRICS, TASK}),
    (delete_task, {BRIEF, TASKS, METRICS, SUBMISSIONS, TASK, SUBMISSION}),
    (submit, {METRICS, SUBMISSIONS}),
    (approve, {BRIEF, TASKS, METRICS, SUBMISSIONS, TASK, SUBMISSION}),
    (rematch_in_a_service, {SUBMISSIONS, SUBMISSION}),
    (match_in_a_service, {BRIEF, TASKS, METRICS, SUBMISSIONS, SUBMISSION}),
    (edit_task_in_a_service, {BRIEF, TASKS, METRICS, TASK}),
]


@pytest.mark.parametrize(("change", "changed"), CHANGES, ids=[c.__name__ for c, _ in CHANGES])
def test_a_change_gives_new_etags_and_fresh_bodies_to_what_shows_it(
    client, alice, ids, change, changed
):
    before = snapshot(client, ids)
    change(client, alice, ids)
    after = snapshot(client, ids)
    gone = [path for path, seen in after.items() if seen is None]
    assert gone == ([TASK] if change is delete_task else [])
    for path in changed - set(gone):
        assert after[path][0] != before[path][0], path
        assert after[path][1] != before[path][1], path
        stale = client.get(path.format(**ids), **{"If-None-Match": before[path][0]})
        assert stale.status_code == 200


def test_another_orgs_caller_never_gets_a_cached_body_or_a_304(client, api, mallory, ids):
    for path in GETS:
        url = path.format(**ids)
        etag = client.get(url)["ETag"]
        outsider = api(mallory)
        assert outsider.get(url).status_code == 404
        assert outsider.get(url, **{"If-None-Match": etag}).status_code == 404


def test_each_caller_gets_their_own_session_with_verified_tokens_reused(
    settings, api, alice, bob, mallory
):
    settings.AUTH_CACHE_SECONDS = 60
    clients = {user.pk: (api(user), user) for user in (alice, bob, mallory)}
    for _ in range(2):
        for user_id, (client, user) in clients.items():
            session = client.post("/api/auth/session").json()
            assert (session["userId"], session["orgId"]) == (user_id, user.organization_id)
