"""Task matchers by name, and the text of a submission that approvals teach them."""

from submissions.matching.base import Matcher, WorkDoc
from submissions.matching.lexical import LexicalMatcher
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


def work_text(work: WorkDoc) -> str:
    """A submission as text to append to `TaskDoc.examples` when a PM approves it: what
    the person said they did and where (window titles, file paths). Code snippets stay
    out: their boilerplate would teach every task the same words."""
    return "\n".join([*work.summary, *(a.title for a in work.activities if a.title)])
