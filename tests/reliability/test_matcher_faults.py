"""Issue 6 §6, the matcher's part that exists today: a matcher that fails or answers
garbage (unknown task ids) loses no submission and never attaches a foreign task.
(An LLM matcher with an offline fallback is the matcher work's; this is the floor
under it.)"""

import pytest

from submissions import services
from submissions.matching.base import Match, MatchOutcome
from tests.factories import make_brief, stripe_payload


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
