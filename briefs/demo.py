"""Demo data: one org with a PM, two developers and a designer, three briefs with tasks
for every role, and work sessions pending, approved and rejected (some for a PM to look
at twice). Everything goes in through the services; running it again changes nothing."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import Organization, Role, User
from accounts.services import user_upsert
from briefs import services
from briefs.models import Brief
from submissions import services as submission_services
from submissions.models import Submission

ORG_ID = "org_demo"
PM_USERNAME = "pm"
PEOPLE = [
    ("user_demo_pm", Role.PM, "Sarah Planner", "sarah@example.com"),
    ("user_demo_dev", Role.DEV, "Max Mustermann", "max@example.com"),
    ("user_demo_designer", Role.DESIGNER, "Dana Designer", "dana@example.com"),
    ("user_demo_dev2", Role.DEV, "Lee Nguyen", "lee@example.com"),
]
APPLE_PAY = (
    "Apple Pay Checkout",
    "Implement Apple Pay as a checkout option: payment sheet, Stripe webhooks, error states.",
    [
        (Role.DEV, "Stripe webhook setup", "Implement webhook handler for Apple Pay events"),
        (Role.DEV, "Error handling", "Add error handling for failed payments"),
        (Role.DEV, "Payment flow tests", "Unit and integration tests for the payment flow"),
        (
            Role.DESIGNER,
            "Payment sheet design",
            "Design the Apple Pay button and payment sheet states in Figma",
        ),
        (Role.DESIGNER, "Error state screens", "Design screens for declined and failed payments"),
        (Role.PM, "Launch plan", "Write the rollout plan and success metrics for Apple Pay"),
        (Role.PM, "Merchant verification", "Register the merchant domain with Apple and Stripe"),
    ],
)
ONBOARDING = (
    "Onboarding Revamp",
    "A shorter sign-up: verified email, a guided first tour, friendlier empty states.",
    [
        (Role.DEV, "Email verification flow", "Send and check verification links on sign-up"),
        (Role.DEV, "Welcome tour API", "Endpoints that store which tour steps a user has seen"),
        (Role.DESIGNER, "Onboarding screens", "Design the three onboarding screens in Figma"),
        (Role.DESIGNER, "Empty state illustrations", "Illustrations for empty lists and inboxes"),
        (Role.PM, "Activation metrics", "Define activation and set up the funnel report"),
    ],
)
SEARCH = (
    "Search Performance",
    "Make product search answer in under 200 ms at the 95th percentile.",
    [
        (Role.DEV, "Elasticsearch index tuning", "Tune analyzers, shards and refresh interval"),
        (Role.DEV, "Query caching layer", "Cache frequent search queries in Redis"),
        (Role.DESIGNER, "Search results layout", "Design the results page with filters"),
        (Role.PM, "Search KPI dashboard", "Dashboard of latency and zero-result searches"),
    ],
)
BRIEFS = [APPLE_PAY, ONBOARDING, SEARCH]
PM_APP_LABELS = ["briefs", "submissions"]
DAY = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Session:
    """One demo work session: who, on which brief, what they did, and its fate."""

    brief: str
    person: int  # index in PEOPLE
    start_hours: float  # after DAY
    summary: list[str]
    activities: list[tuple[str, str, int]]  # app, window title, minutes
    decision: str | None = None
    snippet: str = ""


SESSIONS = [
    Session(
        APPLE_PAY[0],
        1,
        0,
        [
            "Implemented Stripe webhook handler for Apple Pay",
            "Verified webhook signatures with the Stripe CLI",
        ],
        [("Cursor", "stripe-webhook.ts", 67), ("Chrome", "Stripe API Documentation", 18)],
        Submission.Status.APPROVED,
        "const event = stripe.webhooks.constructEvent(body, signature, secret);",
    ),
    Session(
        APPLE_PAY[0],
        1,
        26,
        ["Added error handling for failed payment scenarios", "Retry on card declined"],
        [("Cursor", "payment-errors.ts", 50), ("Terminal", "npm test", 10)],
    ),
    # Max again, at overlapping times: the queue flags it.
    Session(
        APPLE_PAY[0],
        1,
        26.5,
        ["Wrote unit tests for the payment flow"],
        [("Cursor", "payment-flow.test.ts", 40)],
    ),
    # Lee claims the webhook task too: a second look.
    Session(
        APPLE_PAY[0],
        3,
        27,
        ["Refactored the Stripe webhook handler"],
        [("VS Code", "stripe-webhook.ts", 35)],
    ),
    Session(
        APPLE_PAY[0],
        2,
        2,
        ["Designed the Apple Pay payment sheet states in Figma"],
        [("Figma", "Checkout / Payment sheet", 95)],
        Submission.Status.APPROVED,
    ),
    # Too vague for any task: needs review.
    Session(
        APPLE_PAY[0],
        2,
        30,
        ["Meetings and email"],
        [("Zoom", "Weekly sync", 30), ("Mail", "Inbox", 20)],
    ),
    Session(
        ONBOARDING[0],
        1,
        50,
        ["Email verification flow: send and check verification links"],
        [("Cursor", "verify_email.py", 80)],
    ),
    Session(
        ONBOARDING[0],
        2,
        51,
        ["Onboarding screens first draft"],
        [("Figma", "Onboarding / Screens", 60)],
        Submission.Status.REJECTED,
    ),
    Session(
        ONBOARDING[0],
        3,
        52,
        ["Welcome tour API endpoints for tour steps"],
        [("VS Code", "tour_steps.py", 75)],
        Submission.Status.APPROVED,
    ),
    Session(
        SEARCH[0],
        3,
        74,
        ["Tuned Elasticsearch index analyzers and refresh interval"],
        [("Terminal", "curl localhost:9200/_settings", 25), ("VS Code", "index.json", 45)],
        snippet="export ES_PASSWORD=hunter2-very-secret",
    ),
]


def seed_demo(*, pm_password: str) -> list[User]:
    """Create the demo org, people, briefs and work; running it again changes nothing."""
    with transaction.atomic():
        Organization.objects.update_or_create(id=ORG_ID, defaults={"name": "Demo Org"})
        people = [
            user_upsert(user_id=uid, org_id=ORG_ID, role=role, name=name, email=email)
            for uid, role, name, email in PEOPLE
        ]
        _make_admin_login(people[0], pm_password)
        briefs = {spec[0]: _brief(people[0], *spec) for spec in BRIEFS}
    fresh = [b for b in briefs.values() if not b.submissions.exists()]
    for session in SESSIONS:
        if briefs[session.brief] in fresh:
            _submit(session, briefs[session.brief], people)
    return people


def _brief(pm: User, name: str, description: str, tasks: list[tuple[str, str, str]]) -> Brief:
    brief = Brief.objects.filter(organization_id=ORG_ID, name=name).first()
    if brief is not None:
        return brief
    brief = services.brief_create(
        user=pm, org_id=ORG_ID, name=name, description=description, status=Brief.Status.ACTIVE
    )
    for role, title, task_description in tasks:
        services.task_create(
            brief=brief, user=pm, role=role, title=title, description=task_description
        )
    return brief


def _submit(session: Session, brief: Brief, people: list[User]) -> None:
    """One session through the same services as the desktop app and a PM's review."""
    person = people[session.person]
    start = DAY + timedelta(hours=session.start_hours)
    activities, at = [], start
    for app, title, minutes in session.activities:
        activities.append(
            {
                "app": app,
                "title": title,
                "summary": "",
                "duration": minutes,
                "timestamp": int(at.timestamp() * 1000),
            }
        )
        at += timedelta(minutes=minutes)
    submission = submission_services.submission_create(
        user=person,
        org_id=ORG_ID,
        brief_id=brief.pk,
        user_id=person.pk,
        user_name=person.name,
        role=person.role,
        summary=session.summary,
        duration=sum(a["duration"] for a in activities),
        activities=activities,
        snippets=[{"text": session.snippet, "context": "terminal"}] if session.snippet else [],
    ).submission
    Submission.objects.filter(pk=submission.pk).update(created_at=start)
    if Submission.objects.get(pk=submission.pk).match_status == Submission.MatchStatus.PENDING:
        # No worker yet (PostgreSQL + Redis): match now, so the demo is complete at once.
        submission_services.submission_match(submission_id=submission.pk)
    if session.decision:
        submission_services.submission_review(
            submission_id=submission.pk, user=people[0], status=session.decision
        )


def _make_admin_login(pm: User, password: str) -> None:
    group, _ = Group.objects.get_or_create(name="PMs")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=PM_APP_LABELS))
    pm.username = PM_USERNAME
    pm.is_staff = True
    pm.set_password(password)
    pm.save(update_fields=["username", "is_staff", "password"])
    pm.groups.add(group)
