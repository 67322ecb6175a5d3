"""The review queue: what it opens on, its filters, search, columns and flags."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from submissions.admin import SubmissionAdmin
from submissions.models import Activity, Submission
from tests.admin.conftest import match
from tests.factories import make_brief, make_submission

pytestmark = pytest.mark.django_db
QUEUE = "/admin/submissions/submission/"


def ids_in(page: str) -> list[str]:
    """Submission ids in the order the queue lists them."""
    return list(dict.fromkeys(re.findall(r"/submission/([0-9a-f-]{36})/change/", page)))


@pytest.fixture
def client(admin_client_for, alice):
    return admin_client_for(alice)


def aged(submission: Submission, minutes: int) -> Submission:
    submission.created_at = timezone.now() - timedelta(minutes=minutes)
    submission.save(update_fields=["created_at"])
    return submission


def test_the_queue_opens_on_pending_newest_first(client, brief, bob):
    older = aged(make_submission(brief, bob), 30)
    newer = aged(make_submission(brief, bob), 5)
    decided = make_submission(brief, bob, status=Submission.Status.APPROVED)
    page = client.get(QUEUE).content.decode()
    assert ids_in(page) == [str(newer.pk), str(older.pk)]
    assert str(decided.pk) in ids_in(client.get(QUEUE + "?status=all").content.decode())


def test_the_queue_filters_by_needs_review_brief_and_user(client, alice, brief, bob, carol):
    flagged = make_submission(brief, bob)
    Submission.objects.filter(pk=flagged.pk).update(needs_review=True)
    calm = make_submission(brief, carol)
    other = make_submission(make_brief(alice, name="Onboarding"), bob)
    assert ids_in(client.get(QUEUE + "?needs_review__exact=1").content.decode()) == [
        str(flagged.pk)
    ]
    by_brief = ids_in(client.get(f"{QUEUE}?brief__id__exact={brief.pk}").content.decode())
    assert set(by_brief) == {str(flagged.pk), str(calm.pk)}
    by_user = ids_in(client.get(f"{QUEUE}?user__id__exact={carol.pk}").content.decode())
    assert by_user == [str(calm.pk)]
    assert str(other.pk) in ids_in(client.get(f"{QUEUE}?role__exact=dev").content.decode())


def test_search_finds_words_of_a_summary(client, brief, bob, submission):
    make_submission(brief, bob)  # "Did work"
    assert ids_in(client.get(QUEUE + "?q=webhook").content.decode()) == [str(submission.pk)]


def test_the_columns_show_who_summary_matched_tasks_and_best_confidence(client, submission):
    page = client.get(QUEUE).content.decode()
    assert "Bob Dev" in page
    assert "Implemented the Stripe webhook" in page
    assert "APP-1" in page
    assert "0.90" in page


def test_overlapping_times_of_one_person_are_flagged(client, brief, bob, carol):
    first = make_submission(brief, bob, activities=2)
    second = make_submission(brief, bob, activities=1)  # same minutes as `first`
    apart = make_submission(brief, carol, activities=1)
    Activity.objects.filter(submission=apart).update(timestamp=1_800_000_000_000)
    flagged = ids_in(client.get(QUEUE + "?flag=overlap").content.decode())
    assert set(flagged) == {str(first.pk), str(second.pk)}


def test_work_matched_to_no_task_and_low_confidence_are_flagged(client, brief, bob, webhook):
    unmatched = make_submission(brief, bob)
    weak = make_submission(brief, bob)
    match(weak, webhook, 0.2)
    assert ids_in(client.get(QUEUE + "?flag=unmatched").content.decode()) == [str(unmatched.pk)]
    assert ids_in(client.get(QUEUE + "?flag=low_confidence").content.decode()) == [str(weak.pk)]


def test_two_people_claiming_one_task_are_flagged(client, brief, bob, carol, webhook, errors_task):
    bobs = make_submission(brief, bob)
    match(bobs, webhook)
    carols = make_submission(brief, carol)
    match(carols, webhook)
    alone = make_submission(brief, bob)
    match(alone, errors_task)
    flagged = ids_in(client.get(QUEUE + "?flag=shared_task").content.decode())
    assert set(flagged) == {str(bobs.pk), str(carols.pk)}


def test_the_queue_sorts_by_a_flag(client, brief, bob, webhook):
    weak = aged(make_submission(brief, bob), 30)
    match(weak, webhook, 0.1)
    sure = aged(make_submission(brief, bob), 5)
    match(sure, webhook, 0.95)
    column = SubmissionAdmin.list_display.index("low_confidence") + 1  # after the checkbox
    ordered = ids_in(client.get(f"{QUEUE}?o={column}").content.decode())
    assert ordered == [str(weak.pk), str(sure.pk)]


def test_the_queue_takes_the_same_number_of_queries_for_more_rows(client, brief, bob, webhook):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    match(make_submission(brief, bob, activities=3), webhook)
    few = queries()
    for _ in range(10):
        match(make_submission(brief, bob, activities=3), webhook)
    assert queries() == few
