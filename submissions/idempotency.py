"""`Idempotency-Key` on POST /api/submissions (CONTRACT §6): the desktop app's offline
queue retries, and a retry must never create a second submission.

A request claims its key (a row, unique per user and key) before the submission is
written; `submission_create` binds the claim to the new submission in its own
transaction, so a key is either free or bound to exactly one submission. A retry
with the same body replays the first response; another body is 422; a retry while
the first is still running is 409. A claim whose request died is taken over after
`LEASE`; keys expire after `TTL` and `prune_idempotency_keys` deletes them.
"""

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.models import User
from drift.errors import Conflict, IdempotencyKeyMismatch
from submissions.models import IdempotencyKey, Submission

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
LEASE = timedelta(seconds=120)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass
class Claim:
    """What a request holds for its key: nothing (no header), a replay, or a fresh claim."""

    record: IdempotencyKey | None = None
    replay: IdempotencyKey | None = None

    def remember(self, body: dict[str, Any]) -> None:
        """Keep the first response's body for replays (after the submission committed)."""
        if self.record is not None:
            IdempotencyKey.objects.filter(pk=self.record.pk).update(response=body)


def fingerprint(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@contextmanager
def idempotency_guard(*, user: User, key: str | None, data: Any) -> Iterator[Claim]:
    """Claim `key` for this request; a failure inside the block frees it again, so that
    validation errors and other refusals are not remembered."""
    if key is None:
        yield Claim()
        return
    if not _KEY.match(key):
        raise ValidationError({HEADER: ["Must be 1-255 printable ASCII characters."]})
    claim = idempotency_claim(user=user, key=key, fingerprint=fingerprint(data))
    try:
        yield claim
    except BaseException:
        if claim.record is not None:
            idempotency_release(record=claim.record)
        raise


def idempotency_claim(*, user: User, key: str, fingerprint: str) -> Claim:
    """Claim `key` for `user`, or return the replay, or refuse (409 in flight, 422)."""
    for _ in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, expires_at=now + TTL
                )
            return Claim(record=record)
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            continue
        if existing.expires_at <= now:
            IdempotencyKey.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyMismatch()
        if existing.submission_id is not None:
            return Claim(replay=existing)
        if existing.claimed_at > now - LEASE or not _take_over(existing, now):
            raise Conflict("A request with this Idempotency-Key is still in progress.")
        return Claim(record=existing)
    raise Conflict("A request with this Idempotency-Key is still in progress.")


def _take_over(record: IdempotencyKey, now: Any) -> bool:
    """Take over a claim whose request died before it finished (past its lease)."""
    taken = IdempotencyKey.objects.filter(
        pk=record.pk, submission__isnull=True, claimed_at=record.claimed_at
    ).update(claimed_at=now)
    record.claimed_at = now
    return taken == 1


def idempotency_bind(*, record: IdempotencyKey, submission: Submission) -> None:
    """Bind a claim to its submission; runs inside `submission_create`'s transaction.
    Losing the claim meanwhile (taken over past its lease) aborts that transaction."""
    bound = IdempotencyKey.objects.filter(
        pk=record.pk, submission__isnull=True, claimed_at=record.claimed_at
    ).update(submission=submission)
    if bound != 1:
        raise Conflict("A request with this Idempotency-Key is still in progress.")


def idempotency_release(*, record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(
        pk=record.pk, submission__isnull=True, claimed_at=record.claimed_at
    ).delete()


def idempotency_prune(*, now: Any = None) -> int:
    """Delete expired keys; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
