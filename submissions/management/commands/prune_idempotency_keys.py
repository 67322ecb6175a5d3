"""Delete `Idempotency-Key` records past their 24 h (run it hourly, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from submissions.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key records of POST /api/submissions."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {idempotency_prune()} expired idempotency keys.")
