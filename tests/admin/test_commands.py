"""`manage.py seed_demo` and `manage.py rematch`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from briefs.demo import BRIEFS, ORG_ID
from briefs.models import Brief, Task
from submissions.models import Submission, SubmissionEvent
from tests.admin.conftest import match
from tests.factories import make_brief, make_submission, make_task

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Brief.objects.count(),
        Task.objects.count(),
        Submission.objects.count(),
        SubmissionEvent.objects.count(),
    )


def test_seed_demo_builds_a_believable_org_and_prints_logins(client):
    out, _ = run("seed_demo", "--password", "s3cret-demo")
    assert "Admin login: pm / s3cret-demo" in out
    assert out.count("Token for ") == User.objects.filter(organization_id=ORG_ID).count() == 4
    briefs = Brief.objects.filter(organization_id=ORG_ID)
    assert {b.name for b in briefs} == {spec[0] for spec in BRIEFS}
    assert "Apple Pay Checkout" in {b.name for b in briefs}
    assert set(Task.objects.values_list("role", flat=True)) == set(Role.values)
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == {"pending", "approved", "rejected"}
    assert Submission.objects.filter(status="pending", needs_review=True).exists()
    assert client.login(username="pm", password="s3cret-demo")
    assert client.get("/admin/submissions/submission/").status_code == 200


def test_seed_demo_twice_changes_nothing(client):
    run("seed_demo")
    before = counts()
    out, _ = run("seed_demo")
    assert counts() == before
    assert "Admin login: pm / drift-demo" in out


@pytest.fixture
def stale(alice, bob):
    """A pending submission about the webhook, wrongly matched to error handling."""
    brief = make_brief(alice)
    webhook = make_task(brief, title="Stripe webhook setup", description="Webhook handler")
    errors = make_task(brief, title="Error handling", description="Failed payments")
    submission = make_submission(brief, bob)
    submission.summary = ["Implemented the Stripe webhook setup handler (APP-1)"]
    submission.save()
    match(submission, errors, 0.3)
    return submission, webhook


def test_rematch_dry_run_shows_the_change_and_stores_nothing(stale):
    submission, webhook = stale
    out, err = run("rematch", "--all", "--dry-run")
    assert "APP-2 -> APP-1" in out
    assert "1 would change" in out
    assert "Dry run" in out
    assert "[##############################] 1/1" in err
    assert submission.matched_task_ids != [webhook.pk]


def test_rematch_stores_the_new_matches_with_an_audit_entry(stale):
    submission, webhook = stale
    out, _ = run("rematch", "--brief", "app")
    assert "1 changed" in out
    assert webhook.pk in submission.matched_task_ids
    assert submission.history.get().kind == SubmissionEvent.Kind.MATCHED


def test_rematch_leaves_decided_submissions_alone(stale, alice, bob):
    submission, _ = stale
    Submission.objects.filter(pk=submission.pk).update(status="approved")
    out, _ = run("rematch", "--status", "approved")
    assert "0 changed, 0 unchanged, 1 skipped" in out
    assert not submission.history.exists()


def test_rematch_selects_by_date_range(stale):
    out, _ = run("rematch", "--until", "2000-01-01", "--dry-run")
    assert out.startswith("0 submission(s)")
    out, _ = run("rematch", "--since", "2000-01-01", "--dry-run")
    assert out.splitlines()[-1].startswith("1 submission(s)")


def test_rematch_needs_a_choice_of_submissions():
    with pytest.raises(CommandError, match="Choose submissions"):
        run("rematch")
    with pytest.raises(CommandError, match="Not a date"):
        run("rematch", "--since", "yesterday")
