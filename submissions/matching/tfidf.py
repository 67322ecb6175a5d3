"""A baseline after the bench README's: TF-IDF cosine over all text, best task above a cut-off.

Kept to compare the default matcher against; it has no field weights, no
identifier splitting and no calibration, and its confidence is the raw cosine.
Its IDF comes from the brief's tasks alone, so its cosines run higher than the
README's and its figures differ from the README's table: compare with both.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence

from submissions.matching.base import Match, MatchOutcome, TaskDoc, WorkDoc

_WORD = re.compile(r"[a-z0-9]+")


def _counts(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


class TfidfMatcher:
    name = "tfidf"

    def __init__(self, tau: float = 0.05) -> None:
        self.tau = tau

    def match(self, work: WorkDoc, tasks: Sequence[TaskDoc]) -> MatchOutcome:
        docs = [_counts(" ".join([t.title, t.description, *t.examples])) for t in tasks]
        df = Counter(word for doc in docs for word in doc)
        idf = {word: math.log((1 + len(docs)) / (1 + n)) + 1 for word, n in df.items()}
        parts = [*work.summary]
        for activity in work.activities:
            parts += [activity.title, activity.summary]
        parts += [snippet.text for snippet in work.snippets]
        query = _weigh(_counts(" ".join(parts)), idf)
        scored = sorted(
            (
                (_cosine(query, _weigh(doc, idf)), task)
                for doc, task in zip(docs, tasks, strict=True)
            ),
            key=lambda pair: -pair[0],
        )
        if not scored or scored[0][0] < self.tau:
            return MatchOutcome(matcher=self.name, needs_review=True)
        score, task = scored[0]
        reason = f"TF-IDF cosine {score:.2f} with the task text"
        return MatchOutcome(matcher=self.name, matches=(Match(task.id, round(score, 3), reason),))


def _weigh(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    return {word: n * idf[word] for word, n in counts.items() if word in idf}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0
