"""`GET /api/briefs/{id}/submissions` and `GET /api/submissions/{id}`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_brief, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(alice):
    return make_brief(alice)


def test_list_filters_by_status_and_user_with_the_true_total(api, alice, bob, carol, brief):
    for _ in range(3):
        make_submission(brief, bob)
    make_submission(brief, carol)
    make_submission(brief, bob, status="approved")
    body = (
        api(alice)
        .get(f"/api/briefs/{brief.pk}/submissions?status=pending&userId=user_bob&limit=2&offset=1")
        .json()
    )
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)
    assert len(body["submissions"]) == 2
    assert {s["userId"] for s in body["submissions"]} == {"user_bob"}


def test_list_is_newest_first(api, alice, bob, brief):
    first, second = make_submission(brief, bob), make_submission(brief, bob)
    ids = [
        s["id"] for s in api(alice).get(f"/api/briefs/{brief.pk}/submissions").json()["submissions"]
    ]
    assert ids == [str(second.pk), str(first.pk)]


def test_list_items_carry_their_activities(api, alice, bob, brief):
    make_submission(brief, bob, activities=3)
    item = api(alice).get(f"/api/briefs/{brief.pk}/submissions").json()["submissions"][0]
    assert [a["title"] for a in item["activities"]] == ["file0.py", "file1.py", "file2.py"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
    ],
)
def test_list_rejects_bad_parameters(api, alice, brief, query, field):
    response = api(alice).get(f"/api/briefs/{brief.pk}/submissions?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


def test_list_of_another_orgs_brief_is_not_found(api, mallory, brief):
    assert api(mallory).get(f"/api/briefs/{brief.pk}/submissions").status_code == 404


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_list_costs_the_same_queries_for_5_or_100_submissions(api, alice, bob):
    small, large = make_brief(alice, name="Small"), make_brief(alice, name="Large")
    for _ in range(5):
        make_submission(small, bob, activities=20)
    for _ in range(100):
        make_submission(large, bob, activities=20)
    client = api(alice)
    assert queries_for(client, f"/api/briefs/{small.pk}/submissions") == queries_for(
        client, f"/api/briefs/{large.pk}/submissions?limit=100"
    )


def test_detail_costs_the_same_queries_for_3_or_1000_activities(api, alice, bob, brief):
    small, large = (
        make_submission(brief, bob, activities=3),
        make_submission(brief, bob, activities=1000),
    )
    client = api(alice)
    assert queries_for(client, f"/api/submissions/{small.pk}") == queries_for(
        client, f"/api/submissions/{large.pk}"
    )
