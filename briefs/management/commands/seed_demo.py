"""`manage.py seed_demo`: demo org, people and brief; prints the admin login and tokens."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.services import user_token
from briefs.demo import PM_USERNAME, seed_demo


class Command(BaseCommand):
    help = "Create the demo organization, users and brief (idempotent); print their tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default="drift-demo",
            help="Admin password for the demo PM (default: drift-demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people = seed_demo(pm_password=options["password"])
        self.stdout.write(f"Admin login: {PM_USERNAME} / {options['password']}")
        for user in people:
            token, _ = user_token(user=user)
            self.stdout.write(f"Token for {user.name} ({user.role}, {user.pk}):\n{token}")
