"""LexicalMatcher: explicit references first, then weighted word overlap.

Each task gets two scores: `overlap`, the IDF-weighted overlap of all the
work's words with the task's (cosine-like, field-weighted), and `item`, the
best Dice similarity of one coherent piece of the work (a summary line, a
snippet) with the task text. The best task's confidence is a logistic
function of both and of how close the runner-up comes; its coefficients were
fitted on the dev bench, and a task is linked when that confidence says it is
more likely right than wrong.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from submissions.matching.base import Match, MatchOutcome, TaskDoc, WorkDoc
from submissions.matching.lexical.evidence import (
    Source,
    Terms,
    idf,
    task_terms,
    work_items,
    work_terms,
)
from submissions.matching.lexical.explicit import explicit_references
from submissions.matching.lexical.tokens import specificity, surface, tokens

# Work on a task of another role must be this much stronger to win.
ROLE_PENALTY = 0.5
# Logistic calibration: intercept, item, log(1 + overlap), runner-up ratio, has a summary.
CALIBRATION = (-1.53, 1.72, 2.7, -1.42, -0.81)
LINK = 0.5  # link the best task when its confidence reaches this
SURE = 0.8  # below this, or with a close runner-up, a PM should look
CLOSE = 0.8  # runner-up item score / best item score that makes a close call
IGNORE = 0.2  # below this nothing is worth a PM's look


@dataclass(frozen=True)
class Candidate:
    task: TaskDoc
    item: float  # best Dice similarity of one piece of the work with the task
    overlap: float  # weighted overlap of all the work's words with the task's
    contributions: dict[str, float]  # matched word -> its share of `overlap`

    @property
    def strength(self) -> tuple[float, float]:
        return (self.item, self.overlap)


def score(work: WorkDoc, tasks: Sequence[TaskDoc]) -> list[Candidate]:
    """Every task with its evidence, strongest first."""
    work_side, items = work_terms(work), work_items(work)
    task_sides = [task_terms(task) for task in tasks]
    weights = {word: value * specificity(word) for word, value in idf(task_sides).items()}
    unknown = max(weights.values(), default=1.0)
    candidates = []
    for task, side in zip(tasks, task_sides, strict=True):
        text_words = frozenset(tokens(f"{task.title} {task.description}"))
        penalty = ROLE_PENALTY if work.role and task.role and task.role != work.role else 1.0
        item = max((_dice(i.words, text_words, weights, unknown) for i in items), default=0.0)
        contributions = _contributions(work_side, side, weights)
        norm = math.sqrt(sum((w * weights[word]) ** 2 for word, w in side.weights.items()))
        overlap = sum(contributions.values()) / norm if norm else 0.0
        candidates.append(Candidate(task, item * penalty, overlap * penalty, contributions))
    return sorted(candidates, key=lambda c: c.strength, reverse=True)


def _contributions(
    work_side: Terms, task_side: Terms, weights: dict[str, float]
) -> dict[str, float]:
    return {
        word: work_side.weights[word] * weight * weights[word] ** 2
        for word, weight in task_side.weights.items()
        if word in work_side.weights
    }


def _dice(a: frozenset[str], b: frozenset[str], weights: dict[str, float], unknown: float) -> float:
    def mass(words: frozenset[str]) -> float:
        return sum(weights.get(word, unknown * specificity(word)) for word in words)

    total = mass(a) + mass(b)
    return 2 * mass(a & b) / total if total else 0.0


def confidence(best: Candidate, runner_up: Candidate | None, has_summary: bool) -> float:
    """Probability that `best` is right, from its evidence and its runner-up's."""
    ratio = runner_up.item / best.item if runner_up and best.item else 0.0
    bias, w_item, w_overlap, w_ratio, w_summary = CALIBRATION
    z = (
        bias
        + w_item * best.item
        + w_overlap * math.log1p(best.overlap)
        + w_ratio * ratio
        + w_summary * has_summary
    )
    return 1 / (1 + math.exp(-z))


def reason(candidate: Candidate, work_side: Terms, limit: int = 2) -> str:
    """The strongest places of the work and the task words each of them matched."""
    by_source: dict[Source, list[str]] = {}
    for word in sorted(candidate.contributions, key=candidate.contributions.get, reverse=True):
        source = work_side.sources.get(word)
        if source:
            by_source.setdefault(source, []).append(word)
    parts = []
    for source, words in list(by_source.items())[:limit]:
        named = ", ".join(f'"{surface(word, source.text)}"' for word in words[:4])
        parts.append(f"{_place(source)} matched {named}")
    return "; ".join(parts) or "no shared words"


def _place(source: Source) -> str:
    if source.field == "summary":
        return f'{source.label()} "{_clip(source.text)}"'
    if source.field in ("file", "window"):
        return f"{source.field} {_clip(source.text)}"
    return source.label()


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LexicalMatcher:
    name = "lexical"

    def match(self, work: WorkDoc, tasks: Sequence[TaskDoc]) -> MatchOutcome:
        explicit = explicit_references(work, tasks)
        if explicit:
            matches = [Match(task_id, 1.0, why) for task_id, why in explicit.items()]
            return MatchOutcome(self.name, tuple(matches))
        candidates = score(work, tasks)
        if not candidates:
            return MatchOutcome(self.name)
        best, runner_up = candidates[0], (candidates[1] if len(candidates) > 1 else None)
        sure = confidence(best, runner_up, bool(work.summary))
        close = bool(runner_up and best.item and runner_up.item / best.item >= CLOSE)
        needs_review = sure >= IGNORE and (sure < SURE or close)
        if sure < LINK:
            return MatchOutcome(self.name, needs_review=needs_review)
        match = Match(best.task.id, round(sure, 3), reason(best, work_terms(work)))
        return MatchOutcome(self.name, (match,), needs_review)
