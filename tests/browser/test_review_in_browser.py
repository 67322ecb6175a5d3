"""A PM works through the queue in a real browser; other people cannot."""

from typing import Any

import pytest

from submissions.models import Submission, SubmissionMatch
from tests.admin.conftest import PASSWORD, give_password
from tests.factories import make_brief, make_submission, make_task

# Data goes in before `browser` starts (fixture order in each signature): Playwright's
# event loop then runs in this thread, where Django's sync event publishing cannot.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(alice, bob, mallory) -> dict[str, Any]:
    for person in (alice, bob, mallory):
        give_password(person)
    brief = make_brief(alice)
    webhook = make_task(brief, title="Stripe webhook setup")
    errors = make_task(brief, title="Error handling")
    doubtful = make_submission(brief, bob, activities=3)
    Submission.objects.filter(pk=doubtful.pk).update(
        needs_review=True, summary=["Stripe webhook and failed-payment errors"]
    )
    SubmissionMatch.objects.create(
        submission=doubtful, task=webhook, rank=0, confidence=0.35, reason="title words"
    )
    clear = make_submission(brief, bob)
    return {"brief": brief, "tasks": (webhook, errors), "doubtful": doubtful, "clear": clear}


def log_in(browser: Any, base: str, user: Any) -> Any:
    page = browser.new_page()
    page.goto(f"{base}/admin/login/?next=/admin/submissions/submission/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    navigate(page, page.locator("input[type=submit]"))
    return page


def navigate(page: Any, target: Any) -> None:
    """Click a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        target.click()


def test_a_pm_reviews_a_flagged_submission_in_the_browser(
    scene, alice, live_server, screenshot_dir, browser
):
    page = log_in(browser, live_server.url, alice)
    assert page.locator("#result_list").is_visible()
    page.screenshot(path=str(screenshot_dir / "queue.png"), full_page=True)

    needs_review = page.locator('#changelist-filter details[data-filter-title="needs review"] a')
    navigate(page, needs_review.filter(has_text="Yes"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    navigate(page, rows.first.locator("th a"))

    page.wait_for_selector("text=Activity timeline")
    assert (
        page.locator(".drift-bullets li").inner_text() == "Stripe webhook and failed-payment errors"
    )
    page.screenshot(path=str(screenshot_dir / "submission.png"), full_page=True)
    page.locator("label", has_text="Error handling").locator("input").check()
    navigate(page, page.locator("input[name=_approve]"))
    assert page.locator(".messagelist").inner_text().endswith("approved.")

    page.goto(f"{live_server.url}/admin/briefs/brief/{scene['brief'].pk}/change/")
    progress = page.locator("#brief-progress")
    assert "2 of 2 tasks done (100%)" in progress.inner_text()
    statuses = page.locator("#minutes-by-task .task-status").all_inner_texts()
    assert statuses == ["done", "done"]
    page.screenshot(path=str(screenshot_dir / "brief.png"), full_page=True)


def test_a_pm_of_another_org_cannot_see_the_submission(scene, mallory, live_server, browser):
    page = log_in(browser, live_server.url, mallory)
    assert (
        page.locator("#result_list").count() == 0 or str(scene["doubtful"].pk) not in page.content()
    )
    page.goto(f"{live_server.url}/admin/submissions/submission/{scene['doubtful'].pk}/change/")
    assert page.url == f"{live_server.url}/admin/"
    assert "exist" in page.locator(".messagelist").inner_text()  # "… doesn't exist"


def test_a_developer_is_refused_in_the_browser(scene, bob, live_server, browser):
    page = log_in(browser, live_server.url, bob)
    assert "/admin/login/" in page.url
    assert "for PMs" in page.locator(".errornote").inner_text()
