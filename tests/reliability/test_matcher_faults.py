"""Issue 6 §6, the matcher's part that exists today: a matcher that fails or answers
garbage (unknown task ids) loses no submission and never attaches a foreign task.
(An LLM matcher with an offline fallback is the matcher work's; this is the floor
under it.)"""

import pytest

from submissions import services
from submissions.matching.base import Match, MatchOutcome
from submissions.models import Submission
from submissions.tasks import MAX_MATCH_DELIVERIES, match_submission
from tests.factories import make_brief, make_submission, stripe_payload


class BrokenMatcher:
    name = "broken"

    def match(self, work, tasks):
        raise TimeoutError("the model did not answer")


class GarbageMatcher:
    name = "garbage"

    def match(self, work, tasks):
        return MatchOutcome(
            matcher=self.name,
            matches=[Match(task_id="not-a-task", confidence=0.99, reason="made up")],
        )


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("matching_worker")]


@pytest.fixture
def brief(alice):
    return make_brief(alice, tasks=2)


def test_a_failing_matcher_leaves_the_submission_stored_and_flagged(api, bob, brief, monkeypatch):
    monkeypatch.setattr(services, "get_matcher", lambda name=None: BrokenMatcher())
    response = api(bob).post("/api/submissions", stripe_payload(brief, bob))
    assert response.status_code == 201
    stored = response.json()
    assert stored["matchStatus"] == "failed"
    assert stored["needsReview"] is True
    assert len(stored["activities"]) == 3


def test_unknown_task_ids_from_a_matcher_are_dropped(api, bob, brief, monkeypatch):
    monkeypatch.setattr(services, "get_matcher", lambda name=None: GarbageMatcher())
    response = api(bob).post("/api/submissions", stripe_payload(brief, bob))
    assert response.status_code == 201
    body = response.json()
    assert body["matchedTasks"] == []
    assert body["needsReview"] is True


class DyingMatcher:
    """Stands for a matcher that takes its worker down with it (SystemExit is not
    caught the way an ordinary matcher error is)."""

    name = "dying"

    def match(self, work, tasks):
        raise SystemExit("worker lost")


def test_a_task_that_keeps_killing_its_worker_gives_up_after_3_deliveries(
    alice, bob, brief, monkeypatch
):
    submission = make_submission(brief, bob)
    Submission.objects.filter(pk=submission.pk).update(match_status="pending")
    monkeypatch.setattr(services, "get_matcher", lambda name=None: DyingMatcher())
    for _ in range(MAX_MATCH_DELIVERIES):
        with pytest.raises(SystemExit):
            match_submission.run(str(submission.pk))
    match_submission.run(str(submission.pk))
    submission.refresh_from_db()
    assert submission.match_status == "failed"
    assert submission.needs_review is True
