"""`manage.py rematch`: run the matcher again on chosen submissions, with a progress bar
and a summary of what changed. Decided (approved or rejected) submissions are never
changed: they keep what their reviewer approved, and are counted as skipped."""

import sys
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from briefs.models import Task
from submissions.matching import MATCHERS
from submissions.models import Submission
from submissions.services import Rematch, submission_rematch

BAR_WIDTH = 30


def moment(value: str, *, end: bool = False) -> datetime:
    """`2026-01-31` (the whole day) or an ISO datetime, as an aware datetime."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"Not a date: {value!r} (use YYYY-MM-DD or an ISO datetime).")
        parsed = datetime.combine(day, time.max if end else time.min)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = (
        "Re-run matching for chosen submissions (by brief, status, date range, or all), "
        "with the configured matcher or --matcher. Approved and rejected submissions are "
        "skipped: they keep what was approved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--brief", help="A brief's id or task key prefix (APP).")
        parser.add_argument("--status", choices=Submission.Status.values)
        parser.add_argument("--since", help="Submitted on or after (YYYY-MM-DD or ISO).")
        parser.add_argument("--until", help="Submitted on or before (YYYY-MM-DD or ISO).")
        parser.add_argument("--all", action="store_true", help="Every submission.")
        parser.add_argument(
            "--matcher",
            choices=sorted(MATCHERS),
            help="Run this matcher instead of the configured one (DRIFT_MATCHER).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; store nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        submissions = self.selected(options)
        ids = list(submissions.order_by("created_at").values_list("pk", flat=True))
        results = []
        for done, pk in enumerate(ids, 1):
            results.append(
                submission_rematch(
                    submission_id=pk, dry_run=options["dry_run"], matcher=options["matcher"]
                )
            )
            self.progress(done, len(ids))
        self.summarize(results, dry_run=options["dry_run"])

    def selected(self, options: dict[str, Any]) -> QuerySet:
        chosen = [options[k] for k in ("brief", "status", "since", "until")]
        if not options["all"] and not any(chosen):
            raise CommandError("Choose submissions: --brief, --status, --since/--until or --all.")
        submissions = Submission.objects.all()
        if options["brief"]:
            submissions = submissions.filter(self.brief_filter(options["brief"]))
        if options["status"]:
            submissions = submissions.filter(status=options["status"])
        if options["since"]:
            submissions = submissions.filter(created_at__gte=moment(options["since"]))
        if options["until"]:
            submissions = submissions.filter(created_at__lte=moment(options["until"], end=True))
        return submissions

    def brief_filter(self, value: str) -> Q:
        try:
            return Q(brief_id=UUID(value))
        except ValueError:
            return Q(brief__key_prefix=value.upper())

    def progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total}", ending="\n" if done == total else "")
        sys.stderr.flush()

    def summarize(self, results: list[Rematch], *, dry_run: bool) -> None:
        keys = {str(pk): key for pk, key in Task.objects.values_list("pk", "key")}

        def names(ids: list[str]) -> str:
            return ", ".join(keys.get(pk, pk) for pk in ids) or "(none)"

        changed = [r for r in results if r.changed]
        skipped = sum(r.skipped for r in results)
        verb = "would change" if dry_run else "changed"
        for r in changed:
            self.stdout.write(f"  {r.submission_id}: {names(r.before)} -> {names(r.after)}")
        self.stdout.write(
            f"{len(results)} submission(s): {len(changed)} {verb}, "
            f"{len(results) - len(changed) - skipped} unchanged, "
            f"{skipped} skipped (approved or rejected)."
            + (" Dry run: nothing stored." if dry_run else "")
        )
