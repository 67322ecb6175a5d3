"""`manage.py rematch` with `--matcher`, and storing only what changed."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from realtime.models import Event
from submissions.matching import MATCHERS
from tests.admin.conftest import match
from tests.factories import make_brief, make_submission, make_task

pytestmark = pytest.mark.django_db


def rematch(*args: str) -> str:
    out = StringIO()
    call_command("rematch", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def updates_of(submission_id: Any) -> list[dict]:
    """The `submission:updated` payloads published for one submission, in order."""
    events = Event.objects.filter(type="submission:updated").order_by("seq")
    return [e.payload for e in events if e.payload["submissionId"] == str(submission_id)]


@pytest.fixture
def stale(alice, bob):
    """A pending submission about the webhook, wrongly matched to error handling."""
    brief = make_brief(alice)
    make_task(brief, title="Stripe webhook setup", description="Webhook handler")
    errors = make_task(brief, title="Error handling", description="Failed payments")
    submission = make_submission(brief, bob)
    submission.summary = ["Implemented the Stripe webhook setup handler (APP-1)"]
    submission.save()
    match(submission, errors, 0.3)
    return submission


def test_rematch_runs_the_matcher_it_is_told_and_records_it(api, bob, stale):
    out = rematch("--all", "--matcher", "tfidf")
    assert "1 changed" in out
    stale.refresh_from_db()
    assert stale.matcher == "tfidf"
    [entry] = api(bob).get(f"/api/submissions/{stale.pk}").json()["history"]
    assert (entry["kind"], entry["matcher"]) == ("matched", "tfidf")


def test_rematch_with_a_matcher_on_a_dry_run_stores_nothing(stale):
    out = rematch("--all", "--matcher", "tfidf", "--dry-run")
    assert "Dry run" in out
    stale.refresh_from_db()
    assert stale.matcher == ""
    assert not stale.history.exists()


def test_rematch_refuses_an_unknown_matcher_naming_the_known_ones(stale):
    with pytest.raises(CommandError, match="invalid choice: 'gpt-9'") as refused:
        rematch("--all", "--matcher", "gpt-9")
    assert all(name in str(refused.value) for name in MATCHERS)
    assert not stale.history.exists()


def test_rematch_that_changes_nothing_stores_and_announces_nothing(stale):
    rematch("--all")
    history, updates = stale.history.count(), len(updates_of(stale.pk))
    out = rematch("--all")
    assert "0 changed, 1 unchanged" in out
    assert stale.history.count() == history
    assert len(updates_of(stale.pk)) == updates == 1
