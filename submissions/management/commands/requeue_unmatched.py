"""Queue matching again for submissions still pending (e.g. stored while Redis was down)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from submissions.outbox import requeue_unmatched


class Command(BaseCommand):
    help = "Queue matching again for pending submissions whose matching never finished."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than", type=float, default=None, help="Seconds pending (default: setting)."
        )

    def handle(self, *args: Any, older_than: float | None, **options: Any) -> None:
        queued = requeue_unmatched(older_than=older_than)
        self.stdout.write(f"Queued {queued} unmatched submissions.")
