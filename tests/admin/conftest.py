"""Back-office fixtures: people who log into /admin/ with a password, and a brief of
alice's org with tasks and submissions to review."""

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from briefs.models import Brief, Task
from submissions.models import Submission, SubmissionMatch
from tests.factories import make_brief, make_submission, make_task

PASSWORD = "correct horse battery"


def give_password(user: User, *, staff: bool = True) -> User:
    user.username = user.pk.removeprefix("user_")
    user.is_staff = staff
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def admin_client_for() -> Callable[[User], Client]:
    """A browser session already logged in as `user` (who must be allowed in)."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(give_password(user))
        return client

    return make


@pytest.fixture
def brief(alice: User) -> Brief:
    return make_brief(alice)


@pytest.fixture
def webhook(brief: Brief) -> Task:
    return make_task(brief, title="Stripe webhook setup")


@pytest.fixture
def errors_task(brief: Brief) -> Task:
    return make_task(brief, title="Error handling")


def match(submission: Submission, task: Task, confidence: float = 0.9) -> SubmissionMatch:
    rank = submission.matches.count()
    return SubmissionMatch.objects.create(
        submission=submission, task=task, rank=rank, confidence=confidence, reason="summary"
    )


@pytest.fixture
def submission(brief: Brief, bob: User, webhook: Task) -> Submission:
    submission = make_submission(brief, bob, activities=2)
    submission.summary = ["Implemented the Stripe webhook", "Wrote tests"]
    submission.save()
    match(submission, webhook, 0.9)
    return submission
