"""Named people and ready-made objects for tests. Rows go in through the ORM or services;
behaviour is exercised through HTTP in the tests themselves."""

from typing import Any

from accounts.models import Role, User
from accounts.services import user_token, user_upsert
from briefs import services as brief_services
from briefs.models import Brief, Task
from submissions.models import Activity, Submission

ORG = "org_acme"
OTHER_ORG = "org_globex"


def make_user(user_id: str, *, role: str = Role.DEV, org: str = ORG, name: str = "") -> User:
    return user_upsert(user_id=user_id, org_id=org, role=role, name=name or user_id.title())


def token_for(user: User) -> str:
    return user_token(user=user)[0]


def make_brief(
    creator: User,
    *,
    name: str = "Apple Pay Checkout",
    tasks: int = 0,
    status: str = Brief.Status.ACTIVE,
) -> Brief:
    org_id = creator.organization_id
    brief = Brief.objects.create(
        organization_id=org_id,
        name=name,
        status=status,
        created_by=creator,
        key_prefix=brief_services.free_key_prefix(org_id, name),
        next_task_number=tasks + 1,
    )
    Task.objects.bulk_create(
        Task(
            brief=brief,
            number=n,
            key=f"{brief.key_prefix}-{n}",
            role=Role.DEV,
            title=f"Task number {n}",
            description=f"Description of task {n}",
        )
        for n in range(1, tasks + 1)
    )
    return brief


def make_task(brief: Brief, *, title: str, description: str = "", role: str = Role.DEV) -> Task:
    pm = User(role=Role.PM)
    return brief_services.task_create(
        brief=brief, user=pm, role=role, title=title, description=description
    )


def make_submission(
    brief: Brief, user: User, *, activities: int = 0, status: str = Submission.Status.PENDING
) -> Submission:
    submission = Submission.objects.create(
        brief=brief,
        user=user,
        user_name=user.name,
        role=user.role,
        summary=["Did work"],
        duration=60,
        status=status,
        match_status=Submission.MatchStatus.MATCHED,
    )
    Activity.objects.bulk_create(
        Activity(
            submission=submission,
            position=i,
            app="Cursor",
            title=f"file{i}.py",
            summary="Edited",
            duration=3,
            timestamp=1706745600000 + i * 60_000,
        )
        for i in range(activities)
    )
    return submission


def stripe_payload(brief: Brief, user: User, **overrides: Any) -> dict[str, Any]:
    """The spec's example submission (the Stripe webhook session)."""
    payload = {
        "briefId": str(brief.pk),
        "userId": user.pk,
        "userName": "Max Mustermann",
        "role": "dev",
        "summary": [
            "Implemented Stripe webhook handler for Apple Pay",
            "Added error handling for failed payment scenarios",
            "Wrote unit tests for payment flow",
        ],
        "duration": 154,
        "activities": [
            {
                "app": "Cursor",
                "title": "stripe-webhook.ts",
                "summary": "Implemented webhook handler",
                "duration": 67,
                "timestamp": 1706745600000,
            },
            {
                "app": "Chrome",
                "title": "Stripe API Documentation",
                "summary": "Researched payment intents",
                "duration": 18,
                "timestamp": 1706749200000,
            },
            {
                "app": "Terminal",
                "title": "~/project",
                "summary": "Ran tests",
                "duration": 12,
                "timestamp": 1706752800000,
            },
        ],
        "snippets": [
            {
                "text": "export async function handleStripeWebhook(req: Request) {\n"
                "  const signature = req.headers['stripe-signature'];\n"
                "  const event = stripe.webhooks.constructEvent(...);\n}",
                "context": "code",
            },
        ],
    }
    payload.update(overrides)
    return payload
