"""Task matchers by name, the text of a submission that approvals teach them, and the
representation of a task built in advance for the default matcher."""

from dataclasses import replace
from typing import Any

from submissions.matching.base import Matcher, TaskDoc, WorkDoc
from submissions.matching.lexical import LexicalMatcher
from submissions.matching.lexical.evidence import PROFILE_FORMAT, task_profile
from submissions.matching.llm import HybridMatcher
from submissions.matching.tfidf import TfidfMatcher

DEFAULT_MATCHER = LexicalMatcher.name
MATCHERS: dict[str, type[Matcher]] = {
    LexicalMatcher.name: LexicalMatcher,
    TfidfMatcher.name: TfidfMatcher,
    HybridMatcher.name: HybridMatcher,
}


def get_matcher(name: str = DEFAULT_MATCHER) -> Matcher:
    """A new matcher registered under `name`; KeyError names the known ones."""
    try:
        return MATCHERS[name]()
    except KeyError:
        raise KeyError(f"unknown matcher {name!r}, known: {', '.join(sorted(MATCHERS))}") from None


# Window titles of approved work that teach its tasks: a session may hold a thousand
# windows glanced at, and those open longest say where the work was.
TAUGHT_TITLES = 20


def work_text(work: WorkDoc) -> str:
    """A submission as text to append to `TaskDoc.examples` when a PM approves it: what
    the person said they did and where (the `TAUGHT_TITLES` window titles and file paths
    open longest, in the order first opened). Code snippets stay out: their boilerplate
    would teach every task the same words."""
    minutes: dict[str, int] = {}
    for activity in work.activities:
        if activity.title:
            minutes[activity.title] = minutes.get(activity.title, 0) + activity.duration
    longest = set(sorted(minutes, key=minutes.__getitem__, reverse=True)[:TAUGHT_TITLES])
    return "\n".join([*work.summary, *(title for title in minutes if title in longest)])


def with_profile(task: TaskDoc) -> TaskDoc:
    """`task` with its representation built now, as done when tasks are created or edited
    and when approvals teach them, so matching a submission only reads it."""
    return replace(task, profile=profile(task))


def profile(task: TaskDoc) -> dict[str, Any]:
    """The JSON-serialisable representation of `task` (its text and examples) that the
    default matcher reads from `TaskDoc.profile`."""
    return task_profile(task).to_json()


__all__ = [
    "DEFAULT_MATCHER",
    "MATCHERS",
    "PROFILE_FORMAT",
    "TAUGHT_TITLES",
    "get_matcher",
    "profile",
    "with_profile",
    "work_text",
]
