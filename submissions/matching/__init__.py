"""Task matchers by name, and the text of a submission that approvals teach them."""

from submissions.matching.base import Matcher, WorkDoc
from submissions.matching.lexical import LexicalMatcher
from submissions.matching.tfidf import TfidfMatcher

DEFAULT_MATCHER = LexicalMatcher.name
MATCHERS: dict[str, type[Matcher]] = {
    LexicalMatcher.name: LexicalMatcher,
    TfidfMatcher.name: TfidfMatcher,
}


def get_matcher(name: str = DEFAULT_MATCHER) -> Matcher:
    """A new matcher registered under `name`; KeyError names the known ones."""
    try:
        return MATCHERS[name]()
    except KeyError:
        raise KeyError(f"unknown matcher {name!r}, known: {', '.join(sorted(MATCHERS))}") from None


def work_text(work: WorkDoc) -> str:
    """A submission as one text, to append to `TaskDoc.examples` when a PM approves it."""
    lines = [*work.summary]
    for activity in work.activities:
        lines.extend(part for part in (activity.title, activity.summary) if part)
    lines.extend(snippet.text for snippet in work.snippets)
    return "\n".join(lines)
