"""Demo data: one org, a PM, a developer and a designer, and the spec's Apple Pay brief."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import Organization, Role, User
from accounts.services import user_upsert
from briefs import services
from briefs.models import Brief

ORG_ID = "org_demo"
PM_USERNAME = "pm"
PEOPLE = [
    ("user_demo_pm", Role.PM, "Sarah Planner", "sarah@example.com"),
    ("user_demo_dev", Role.DEV, "Max Mustermann", "max@example.com"),
    ("user_demo_designer", Role.DESIGNER, "Dana Designer", "dana@example.com"),
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
PM_APP_LABELS = ["briefs", "submissions"]


@transaction.atomic
def seed_demo(*, pm_password: str) -> list[User]:
    """Create the demo org, people and brief; running it again changes nothing."""
    Organization.objects.update_or_create(id=ORG_ID, defaults={"name": "Demo Org"})
    people = [
        user_upsert(user_id=uid, org_id=ORG_ID, role=role, name=name, email=email)
        for uid, role, name, email in PEOPLE
    ]
    pm = people[0]
    _make_admin_login(pm, pm_password)
    name, description, tasks = APPLE_PAY
    if not Brief.objects.filter(organization_id=ORG_ID, name=name).exists():
        brief = services.brief_create(
            user=pm, org_id=ORG_ID, name=name, description=description, status=Brief.Status.ACTIVE
        )
        for role, title, task_description in tasks:
            services.task_create(
                brief=brief, user=pm, role=role, title=title, description=task_description
            )
    return people


def _make_admin_login(pm: User, password: str) -> None:
    group, _ = Group.objects.get_or_create(name="PMs")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=PM_APP_LABELS))
    pm.username = PM_USERNAME
    pm.is_staff = True
    pm.set_password(password)
    pm.save(update_fields=["username", "is_staff", "password"])
    pm.groups.add(group)
