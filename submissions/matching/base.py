"""The matcher interface: plain data in, plain data out, no Django.

A matcher reads one unit of work (what a person submitted) and the tasks of
its brief, and says which tasks the work advanced, how sure it is, and why.
Keeping this free of the ORM lets `bench/matching.py` score matchers on files
and lets the Celery task swap matchers without touching the database code.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ActivityDoc:
    app: str
    title: str
    summary: str = ""
    duration: int = 0


@dataclass(frozen=True)
class SnippetDoc:
    text: str
    context: str = "code"


@dataclass(frozen=True)
class WorkDoc:
    """One submission as the matcher sees it."""

    role: str
    summary: Sequence[str] = ()
    activities: Sequence[ActivityDoc] = ()
    snippets: Sequence[SnippetDoc] = ()


@dataclass(frozen=True)
class TaskDoc:
    """One task of the brief.

    `examples` holds the text of earlier submissions that a PM approved for
    this task, so a matcher can learn what work on it looks like. `profile`, when
    given, is the default matcher's representation of this task built in advance
    from the same text and examples (JSON-serialisable); without it the matcher
    builds one itself.
    """

    id: str
    key: str
    role: str
    title: str
    description: str = ""
    examples: tuple[str, ...] = ()
    profile: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Hashable whatever sequence it was given: matchers key their caches by tasks.
        object.__setattr__(self, "examples", tuple(self.examples))


@dataclass(frozen=True)
class Match:
    task_id: str
    confidence: float  # 0..1
    reason: str  # one line naming the evidence


@dataclass(frozen=True)
class MatchOutcome:
    matcher: str
    matches: Sequence[Match] = field(default_factory=tuple)
    needs_review: bool = False


class Matcher(Protocol):
    name: str

    def match(self, work: WorkDoc, tasks: Sequence[TaskDoc]) -> MatchOutcome:
        """Return matches for task ids of `tasks` only, best first."""
        ...
