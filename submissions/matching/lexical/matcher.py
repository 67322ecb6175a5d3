"""LexicalMatcher: explicit references first, then weighted word overlap.

Each task gets two scores: `overlap`, the IDF-weighted overlap of all the
work's words with the task's (cosine-like, field-weighted, a long summary's
words counting less), and `item`, the best Dice similarity of one coherent piece
of the work (a summary line, a snippet, a line of code) with the task text. The
best task's confidence is a logistic function of both, of how close the
runner-up comes where the best task does not explain its match away (`_rival`) and
of whether the work has a summary at all; its five
coefficients are fitted on the dev bench by `bench/calibrate.py`
(leave-one-brief-out checked), and a task is linked when it is at least 60%
likely right, which keeps most work on other tasks unlinked. Other tasks are
linked too when the pieces of the work they match best would stand on their
own, with the words the best task matches explained away (`_others`). The task
side comes from `Profile`s, built in advance when the app stores them.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from submissions.matching.base import Match, MatchOutcome, TaskDoc, WorkDoc
from submissions.matching.lexical.evidence import (
    FOLDER_WEIGHT,
    Profile,
    Source,
    Terms,
    folder_words,
    idf,
    profile_of,
    summary_lines,
    summary_weight,
    work_items,
    work_terms,
)
from submissions.matching.lexical.explicit import explicit_references
from submissions.matching.lexical.tokens import is_version, specificity, stem, surface

# Work on a task of another role must be this much stronger to win.
ROLE_PENALTY = 0.5
# Logistic calibration: intercept, item, log(1 + overlap), runner-up ratio, has a summary.
CALIBRATION = (-1.91, 1.45, 3.17, -0.74, -0.83)
LINK = 0.6  # link the best task when it is this likely right
SURE = 0.8  # below this, or with a close runner-up, a PM should look
CLOSE = 0.8  # how close the runner-up comes (`_closeness`) to make a close call
IGNORE = 0.2  # below this nothing is worth a PM's look
SECOND = 0.75  # another task is linked too when the part of the work it wins reaches this
# A summary line that one task wins by this margin (runner-up / winner) and at least
# this well links that task as soon as the line alone makes it likely.
DISTINCT = 0.5
STATED = 0.5
SEGMENTS = 4  # the best candidates among which the pieces of the work are shared out
# Sets of tasks (briefs) whose profiles and word weights a process keeps, as a worker
# matches bursts of one brief's work: at most twice what matching one brief holds
# anyway. A task's profile is a function of its text and examples, which a TaskDoc's
# equality compares.
BRIEFS_CACHED = 2


@dataclass(frozen=True)
class Candidate:
    task: TaskDoc
    item: float  # best Dice similarity of one piece of the work with the task
    # Weighted overlap of all the work's words with the task's, a long summary's less.
    overlap: float
    contributions: dict[str, float]  # matched word -> its share of `full`
    by_piece: tuple[float, ...]  # the Dice similarity of each piece of the work
    full: float  # `overlap` with every summary word at its full weight
    # Per summary piece of the work, the words it shares with the target it matches best
    # (none for the pieces of code: `_rival`).
    shared: tuple[frozenset[str], ...]

    @property
    def strength(self) -> tuple[float, float]:
        return (self.item, self.overlap)

    def beyond(self, other: "Candidate") -> float:
        """`full` from the words `other` does not match: its evidence once `other` has
        explained away what they share. The summary's words weigh in full: its length is
        that of both parts of the work, and the other part's lines do not dilute this one."""
        total = sum(self.contributions.values())
        own = sum(v for word, v in self.contributions.items() if word not in other.contributions)
        return self.full * own / total if total else 0.0


Piece = tuple[frozenset[str], float]  # words and their summed weight
Features = tuple[float, ...]


def score(
    work: WorkDoc, tasks: Sequence[TaskDoc], work_side: Terms | None = None
) -> list[Candidate]:
    """Every task with its evidence, strongest first."""
    work_side = work_side or work_terms(work)
    damped = work_terms(work, summary_weight(work)).weights
    said = work_terms(work, code=False).weights
    profiles, brief_weights, unknown = _brief(tuple(tasks))
    weights = dict(brief_weights)
    folders = folder_words(work)
    for word in folders & weights.keys():
        weights[word] *= FOLDER_WEIGHT

    def piece(words: frozenset[str]) -> Piece:
        return words, sum(
            weights[word] if word in weights else _unknown(word, unknown, folders) for word in words
        )

    items = work_items(work)
    pieces = [piece(item.words) for item in items]
    stated = [item.source.field == "summary" for item in items]
    nothing, unshared = (0.0,) * len(pieces), (frozenset(),) * len(pieces)
    candidates = []
    for task, profile in zip(tasks, profiles, strict=True):
        if work_side.weights.keys().isdisjoint(profile.terms):
            # Nothing in common: no evidence to weigh (many tasks of a large brief).
            candidates.append(Candidate(task, 0.0, 0.0, {}, nothing, 0.0, unshared))
            continue
        penalty = ROLE_PENALTY if work.role and task.role and task.role != work.role else 1.0
        targets = [
            (piece(words), weight)
            for words, weight in profile.targets
            if not words.isdisjoint(work_side.weights)
        ]
        matched = [
            _dice(one, targets, weights) if not one[0].isdisjoint(profile.terms) else _NO_MATCH
            for one in pieces
        ]
        by_piece = tuple(penalty * dice for dice, _ in matched)
        shared = tuple(
            words if line else frozenset() for (_, words), line in zip(matched, stated, strict=True)
        )
        contributions = _contributions(work_side, said, profile, weights)
        norm = math.sqrt(sum((w * weights[word]) ** 2 for word, w in profile.terms.items()))
        full = sum(contributions.values()) / norm * penalty if norm else 0.0
        # A word's contribution is proportional to its weight in the work.
        less = sum(v * damped[word] / work_side.weights[word] for word, v in contributions.items())
        candidates.append(
            Candidate(
                task,
                item=max(by_piece, default=0.0),
                overlap=less / norm * penalty if norm else 0.0,
                contributions=contributions,
                by_piece=by_piece,
                full=full,
                shared=shared,
            )
        )
    return sorted(candidates, key=lambda c: c.strength, reverse=True)


@lru_cache(maxsize=BRIEFS_CACHED)
def _brief(
    tasks: tuple[TaskDoc, ...],
) -> tuple[tuple[Profile, ...], Mapping[str, float], float]:
    """The tasks' profiles, the weight of each of their words (IDF by specificity) and
    the weight of a word none of them has: the same for every submission to the brief
    until its tasks change, so reckoned once."""
    profiles = tuple(profile_of(task) for task in tasks)
    weights = {word: value * specificity(word) for word, value in idf(profiles).items()}
    profiles = _learned_shares(profiles)
    return profiles, MappingProxyType(weights), max(weights.values(), default=1.0)


def _learned_shares(profiles: tuple[Profile, ...]) -> tuple[Profile, ...]:
    """The profiles with what approved work taught each task weighed by what it tells:
    a word that k tasks' approved work brought in counts 1/k for each, and one that joins
    the task's own words (`terminal` + `writer`) is its own evidence counted again."""
    learned = [
        {word: taught for word, taught in profile.learned.items() if not _joins(word, profile.own)}
        for profile in profiles
    ]
    learners = Counter(word for words in learned for word in words)
    return tuple(
        Profile(
            own=profile.own,
            learned={word: taught / learners[word] for word, taught in words.items()},
            targets=profile.targets,
        )
        for profile, words in zip(profiles, learned, strict=True)
    )


def _joins(word: str, own: Mapping[str, float], parts: int = 3) -> bool:
    """Whether `word` is 2 to `parts` of the `own` words (stems) joined."""
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if _known(head, own) and (
            _known(tail, own) or (parts > 2 and _joins(tail, own, parts - 1))
        ):
            return True
    return False


def _known(part: str, own: Mapping[str, float]) -> bool:
    return part in own or stem(part) in own


def _unknown(word: str, weight: float, folders: frozenset[str]) -> float:
    """The weight of a word no task has: as rare as the rarest task word; but a release
    number no task names (`introduced in 7.3.0`) dates the work rather than says what
    it was about, so it neither matches a task nor marks work on something else."""
    if is_version(word):
        return 0.0
    return weight * specificity(word) * (FOLDER_WEIGHT if word in folders else 1.0)


_NO_MATCH = (0.0, frozenset())


def _dice(
    one: Piece, targets: Sequence[tuple[Piece, float]], weights: dict[str, float]
) -> tuple[float, frozenset[str]]:
    """Best weighted Dice of a piece of the work with a target of the task, and the
    words they share."""
    words, mass = one
    best, best_shared = 0.0, frozenset()
    for (target, target_mass), weight in targets:
        shared = words & target
        if shared:
            dice = weight * 2 * sum(weights[word] for word in shared) / (mass + target_mass)
            if dice > best:
                best, best_shared = dice, shared
    return best, best_shared


def _contributions(
    work_side: Terms, said: Mapping[str, float], profile: Profile, weights: dict[str, float]
) -> dict[str, float]:
    """Each shared word's weight in the work times its weight in the task (IDF squared).
    What approved work taught the task meets only the same kind of evidence, what the
    work `said` (its summary, files, windows): approved work holds no code."""
    contributions = {}
    for word, weight in profile.terms.items():
        if word in work_side.weights:
            own = profile.own.get(word, 0.0)
            shared = work_side.weights[word] * own + said.get(word, 0.0) * (weight - own)
            if shared:
                contributions[word] = shared * weights[word] ** 2
    return contributions


def features(best: Candidate, runner_up: Candidate | None, has_summary: bool) -> Features:
    """What the confidence weighs, in `CALIBRATION`'s order after the intercept."""
    return _features(best.item, best.overlap, _closeness(best, runner_up), has_summary)


def _closeness(best: Candidate, runner_up: Candidate | None) -> float:
    """How close the runner-up comes to `best`: its best match that `best` does not
    explain away, over the best one's."""
    return _rival(best, runner_up) / best.item if runner_up and best.item else 0.0


def _rival(best: Candidate, runner_up: Candidate) -> float:
    """The runner-up's best match with a piece of the work that `best` does not explain
    away. On a summary line that `best` matches better, with every word the runner-up
    matches there and more, the runner-up is no other reading of what the person said;
    a line of code is no statement, and its identifiers are shared by chance."""
    return max(
        (
            item
            for mine, item, ours, theirs in zip(
                best.by_piece, runner_up.by_piece, best.shared, runner_up.shared, strict=True
            )
            if not (theirs and mine >= item and theirs < ours)
        ),
        default=0.0,
    )


def _features(item: float, overlap: float, ratio: float, has_summary: bool) -> Features:
    return (item, math.log1p(overlap), ratio, float(has_summary))


def confidence(best: Candidate, runner_up: Candidate | None, has_summary: bool) -> float:
    """Probability that `best` is right, from its evidence and its runner-up's."""
    return _probability(features(best, runner_up, has_summary))


def _probability(values: Features) -> float:
    bias, *weights = CALIBRATION
    z = bias + sum(w * v for w, v in zip(weights, values, strict=True))
    return 1 / (1 + math.exp(-z))


def reason(candidate: Candidate, work_side: Terms, role: str = "", limit: int = 2) -> str:
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
    if role and candidate.task.role and candidate.task.role != role:
        parts.append(f"a {candidate.task.role} task for {role} work")
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
        work_side = work_terms(work)
        candidates = score(work, tasks, work_side)
        if not candidates:
            return MatchOutcome(self.name)
        lines = [i.source.field == "summary" and i.source.index > 0 for i in work_items(work)]
        has_summary = bool(summary_lines(work))
        if explicit:
            # Named tasks are linked outright; another part of the work may be about more.
            named = [c for c in candidates if c.task.id in explicit]
            rest = [c for c in candidates if c.task.id not in explicit][: SEGMENTS - 1]
            segments = [*named, *rest]
            # Beside them, another is linked only by a summary line about it alone: the
            # person said what the work was about, and its files may be the named task's.
            linked, _ = _others(segments, len(named), has_summary, lines, by_parts=False)
            needs_review = False
        else:
            linked, needs_review = _decide(candidates, has_summary, lines)
        matches = [Match(task_id, 1.0, why) for task_id, why in explicit.items()]
        matches += [
            Match(c.task.id, round(p, 3), reason(c, work_side, work.role)) for c, p in linked
        ]
        return MatchOutcome(self.name, tuple(matches), needs_review)

    def shortlist(self, work: WorkDoc, tasks: Sequence[TaskDoc], limit: int = 8) -> list[TaskDoc]:
        """The `limit` tasks the work most resembles, best first: the candidates a
        second opinion (an LLM) chooses among."""
        return [c.task for c in score(work, tasks)[:limit]]


def _decide(
    candidates: Sequence[Candidate], has_summary: bool, lines: Sequence[bool]
) -> tuple[list[tuple[Candidate, float]], bool]:
    """The candidates to link with their confidence, and whether a PM should look.

    `lines` says which pieces of the work (in `Candidate.by_piece` order) are summary lines.
    """
    best, runner_up = (*candidates[:2], None)[:2]
    sure = confidence(best, runner_up, has_summary)
    close = _closeness(best, runner_up) >= CLOSE
    needs_review = sure >= IGNORE and (sure < SURE or close)
    if sure < LINK:
        return [], needs_review
    also, parts = _others(candidates[:SEGMENTS], 1, has_summary, lines)
    if also:
        # The runner-up that made the best task a close call was another part of the work.
        sure = max(sure, parts.get(0, 0.0))
    return sorted([(best, sure), *also], key=lambda pair: -pair[1]), needs_review


def _others(
    segments: Sequence[Candidate],
    linked: int,
    has_summary: bool,
    lines: Sequence[bool],
    by_parts: bool = True,
) -> tuple[list[tuple[Candidate, float]], dict[int, float]]:
    """Which of `segments` after the first `linked` ones (already linked) a part of the
    work is about (the pieces it won make it `SECOND` likely, when `by_parts`, or a
    summary line is about it alone), with their confidence; and the confidence of each
    on its own part."""
    parts = _parts(segments, has_summary, [True] * len(lines))
    # A summary line about one task alone says the work did that task too.
    stated = _parts(segments, has_summary, lines, margin=DISTINCT, least=STATED)
    also = [
        (segments[i], max(parts.get(i, 0.0), stated.get(i, 0.0)))
        for i in range(linked, len(segments))
        if (by_parts and parts.get(i, 0.0) >= SECOND) or stated.get(i, 0.0) >= LINK
    ]
    return sorted(also, key=lambda pair: -pair[1]), parts


def _parts(
    candidates: Sequence[Candidate],
    has_summary: bool,
    among: Sequence[bool],
    margin: float = 1.0,
    least: float = 0.0,
) -> dict[int, float]:
    """Per candidate that some part of the work is most about, how likely it is right.

    Each piece of the work `among` those chosen goes to the candidate it matches best,
    when it matches it at least `least` and the runner-up on it at most `margin` times
    as well. A candidate is then judged on the pieces it won alone, its margin being how
    far it beats the runner-up on them, and (all but the first) on the words of the work
    that the first candidate does not match: what they share is the first one's evidence.
    """
    won: dict[int, tuple[float, float]] = {}  # candidate -> its best won piece, runner-up
    for chosen, *scores in zip(among, *(c.by_piece for c in candidates), strict=True):
        ranked = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
        winner, rival = ranked[0], scores[ranked[1]] if len(ranked) > 1 else 0.0
        item = scores[winner]
        better = item > won.get(winner, (0.0, 0.0))[0]
        if chosen and better and item >= least and rival <= margin * item:
            won[winner] = (item, rival)
    first = candidates[0]
    parts = {}
    for index, (item, rival) in won.items():
        if item:
            overlap = candidates[index].beyond(first) if index else first.overlap
            parts[index] = _probability(_features(item, overlap, rival / item, has_summary))
    return parts
