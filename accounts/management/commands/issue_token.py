"""`manage.py issue_token USER_ID --org ORG_ID`: create or update that user, print a token."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Role
from accounts.services import user_token, user_upsert


class Command(BaseCommand):
    help = "Create or update a user and print a local API token for it (the token alone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user_id", help="The user's id, e.g. user_2abc123.")
        parser.add_argument("--org", required=True, help="The organization id, e.g. org_2xyz.")
        parser.add_argument("--role", choices=Role.values, help="DRIFT role (new users: dev).")
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_upsert(
            user_id=options["user_id"],
            org_id=options["org"],
            role=options["role"],
            name=options["name"],
            email=options["email"],
        )
        token, _ = user_token(user=user)
        self.stdout.write(token)
