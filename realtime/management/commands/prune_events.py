"""`manage.py prune_events`: drop events older than 24 h and expired presence (for cron).

Publishing processes also prune hourly by themselves; this is for operators who
want it on a schedule or at once.
"""

from typing import Any

from django.core.management.base import BaseCommand

from realtime import services


class Command(BaseCommand):
    help = "Delete WebSocket events older than 24 hours and expired recording presence."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.events_prune()
        self.stdout.write(f"Deleted {deleted} old events.")
