"""Weighted terms of a submission and of the tasks.

A term's weight is a noisy-or over the places it appears in: a word in a
summary line is strong evidence, in a file path less, in a code snippet
least; on the task side the title counts more than the description, and the
text of approved earlier work (`examples`) is a field of its own. The words of
the folders the work touched (`src/<package>/`, `tests/`) weigh half wherever
they appear: they name the project's layout, not what the work was about. A
file open longer weighs more than one glanced at.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from submissions.matching.base import SnippetDoc, TaskDoc, WorkDoc
from submissions.matching.lexical.tokens import code_tokens, tokens, without_hashes

WORK_FIELDS = {"summary": 1.0, "file": 0.6, "activity": 0.4, "name": 0.4, "snippet": 0.3}
TASK_FIELDS = {"title": 1.0, "description": 0.7, "examples": 0.5}
# Pseudo-tasks that contain no term: they keep IDF meaningful in a brief of four tasks.
IDF_PRIOR_TASKS = 10
# A path's file name says what was worked on; each folder above it says less.
PATH_DECAY = 0.5
# The folders a piece of work lives in (`src/<package>/`, `tests/`) are the project's
# layout, named all over its code: wherever they appear in the work they say little.
FOLDER_WEIGHT = 0.5
# The summary length (lines) up to which its words weigh in full: a subject and a line.
SUMMARY_LINES = 2
# A file or window open longer says more about the work: the briefest one weighs this
# share of the longest one.
BRIEFEST = 0.3

_PATH = re.compile(r"[\w.\-]+(?:[/\\][\w.\-]+)+|[\w\-]+\.\w{1,5}")
_SEPARATOR = re.compile(r"[/\\]")
# The name a line of code defines: what it does, without its parameters' plumbing.
_DEFINED = re.compile(r"\b(?:def|class|function|func|fn)[ \t]+(\w+)")


def _defined(line: str) -> str:
    """The name a line of code defines, else the line."""
    match = _DEFINED.search(line)
    return match.group(1) if match else line


@dataclass(frozen=True)
class Source:
    """Where a term of the work was seen, for the match's reason."""

    field: str
    index: int
    text: str

    def label(self) -> str:
        if self.field == "summary":
            return f"summary line {self.index}" if self.index else "summary"
        return f"{self.field} {self.index}" if self.field == "snippet" else self.field


@dataclass(frozen=True)
class Item:
    """One coherent piece of the work (a summary line, a snippet): its words go together."""

    source: Source
    words: frozenset[str]


@dataclass
class Terms:
    weights: dict[str, float] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    def add(self, words: Iterable[tuple[str, float]], source: Source | None = None) -> None:
        best: dict[str, float] = {}
        for word, weight in words:
            best[word] = max(weight, best.get(word, 0.0))
        for word, weight in best.items():
            self.weights[word] = 1 - (1 - self.weights.get(word, 0.0)) * (1 - weight)
            if source:
                # Places are added strongest first, so the first source is the best one.
                self.sources.setdefault(word, source)


def _weighted(words: Iterable[str], weight: float) -> list[tuple[str, float]]:
    return [(word, weight) for word in words]


def path_words(title: str, weight: float) -> list[tuple[str, float]]:
    """Words of a window title; in a file path, folders weigh less than the file name."""
    if not _PATH.fullmatch(title.strip()):
        return _weighted(tokens(title), weight)
    parts = _SEPARATOR.split(title.strip())
    words: list[tuple[str, float]] = []
    for depth, part in enumerate(reversed(parts)):
        words += _weighted(tokens(part), weight * PATH_DECAY**depth)
    return words


def folder_words(work: WorkDoc) -> frozenset[str]:
    """Words of the folders of the files the work touched."""
    words: set[str] = set()
    for activity in work.activities:
        title = activity.title.strip()
        if _PATH.fullmatch(title):
            for folder in _SEPARATOR.split(title)[:-1]:
                words.update(tokens(folder))
    return frozenset(words)


def summary_lines(work: WorkDoc) -> list[str]:
    """The lines of the summary that say something (`---` or a redacted secret do not)."""
    return [line for line in work.summary if tokens(line)]


def summary_weight(work: WorkDoc) -> float:
    """How much a word of the summary counts toward the work's overlap with a task: fully
    in a summary of a line or two, less in a longer one, whose many words match some
    task by chance (length normalisation; a word several lines repeat keeps its weight
    by the noisy-or)."""
    lines = len(summary_lines(work))
    return min(1.0, math.sqrt(SUMMARY_LINES / lines)) if lines else 1.0


def work_terms(work: WorkDoc, summary_scale: float = 1.0, code: bool = True) -> Terms:
    """The work's words and their weights; `summary_scale` scales the summary's, and
    without `code` the snippets' words are left out."""
    terms = Terms()
    for i, line in enumerate(work.summary, 1):
        weight = WORK_FIELDS["summary"] * summary_scale
        terms.add(_weighted(tokens(line), weight), Source("summary", i, line))
    longest = max((activity.duration for activity in work.activities), default=0)
    for i, activity in enumerate(work.activities, 1):
        source = Source(
            "file" if _PATH.fullmatch(activity.title.strip()) else "window", i, activity.title
        )
        share = BRIEFEST + (1 - BRIEFEST) * activity.duration / longest if longest else 1.0
        terms.add(path_words(activity.title, WORK_FIELDS["file"] * share), source)
    for i, activity in enumerate(work.activities, 1):
        # The summary often repeats the title; the same evidence counts once.
        text = activity.summary.replace(activity.title, " ") if activity.title else activity.summary
        terms.add(_weighted(tokens(text), WORK_FIELDS["activity"]), Source("activity", i, text))
    for i, snippet in enumerate(work.snippets if code else (), 1):
        source = Source("snippet", i, snippet.text)
        terms.add(_weighted(_snippet_words(snippet), WORK_FIELDS["snippet"]), source)
        # Each name the code defines (`def test_…`, `class …`) is the author's own words
        # for what it does: a place of its own, on top of the code it is part of.
        for name in _names(snippet):
            terms.add(_weighted(code_tokens(name), WORK_FIELDS["name"]), source)
    return terms


def _names(snippet: SnippetDoc) -> list[str]:
    """The names a code snippet defines."""
    if snippet.context != "code":
        return []
    return [match.group(1) for match in _DEFINED.finditer(snippet.text)]


def _snippet_words(snippet: SnippetDoc) -> tuple[str, ...]:
    return code_tokens(snippet.text) if snippet.context == "code" else tokens(snippet.text)


def work_items(work: WorkDoc) -> list[Item]:
    """The summary lines, the summary as a whole, each snippet and each line of code in
    it but its decorators, a line that defines a name (`def test_…(fixtures)`) by that
    name alone."""
    texts = [(Source("summary", i, line), tokens(line)) for i, line in enumerate(work.summary, 1)]
    if len(summary_lines(work)) > 1:
        whole = " ".join(work.summary)
        texts.append((Source("summary", 0, whole), tokens(whole)))
    for i, snippet in enumerate(work.snippets, 1):
        source = Source("snippet", i, snippet.text)
        texts.append((source, _snippet_words(snippet)))
        # A test's name or a docstring line can say what the change is about by itself;
        # a decorator (`@pytest.mark.parametrize`) says how the code below it runs, and
        # alone matches any task that names the framework.
        lines = snippet.text.splitlines() if snippet.context == "code" else []
        texts += [
            (source, code_tokens(_defined(line)))
            for line in lines
            if not line.lstrip().startswith("@")
        ]
    return [
        Item(source, frozenset(words))
        for source, words in texts
        if len(set(words)) >= 2 or (source.field == "summary" and words)
    ]


@dataclass(frozen=True)
class Profile:
    """What the matcher needs of one task, built once per task text and set of examples.

    `own` holds the weights of the task's own words, `learned` those of the words work
    approved for it taught, and `targets` the word sets a piece of the work is compared
    with (the task text, then each line of approved work) with their weights.
    """

    own: dict[str, float]
    learned: dict[str, float]
    targets: tuple[tuple[frozenset[str], float], ...]

    @cached_property
    def terms(self) -> dict[str, float]:
        """Every word of the task, its own weight and what approvals taught combined."""
        return {
            word: 1 - (1 - self.own.get(word, 0.0)) * (1 - self.learned.get(word, 0.0))
            for word in self.own.keys() | self.learned.keys()
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROFILE_FORMAT,
            "own": self.own,
            "learned": self.learned,
            "targets": [[sorted(words), weight] for words, weight in self.targets],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Profile | None":
        """The profile stored as `data`; None when another version of this code wrote it."""
        if data.get("format") != PROFILE_FORMAT:
            return None
        targets = tuple((frozenset(words), weight) for words, weight in data["targets"])
        return cls(own=data["own"], learned=data["learned"], targets=targets)


# Bump when `task_profile` changes what it builds: stored profiles are then rebuilt.
PROFILE_FORMAT = 6


def task_profile(task: TaskDoc) -> Profile:
    """The task's words and targets; approved work (`examples`) is a field of its own,
    which teaches no commit hash."""
    own = Terms()
    own.add(_weighted(tokens(task.title), TASK_FIELDS["title"]))
    own.add(_weighted(tokens(task.description), TASK_FIELDS["description"]))
    examples = [without_hashes(example) for example in task.examples]
    learned = Terms()
    learned.add(word for example in examples for word in _example_words(example))
    return Profile(own=own.weights, learned=learned.weights, targets=_targets(task, examples))


def _example_words(example: str) -> list[tuple[str, float]]:
    """Words of approved work; a file path weighs as in the work (as a file, its folders
    less than its name): the files of one task's work are touched by many others'."""
    learned = TASK_FIELDS["examples"]
    words: list[tuple[str, float]] = []
    for line in example.splitlines():
        if _PATH.fullmatch(line.strip()):
            words += path_words(line, learned * WORK_FIELDS["file"])
        else:
            words += _weighted(tokens(line), learned)
    return words


def _targets(task: TaskDoc, examples: Sequence[str]) -> tuple[tuple[frozenset[str], float], ...]:
    """The task text, and (weighed less) each line of work approved for it earlier."""
    targets = [(frozenset(tokens(f"{task.title} {task.description}")), 1.0)]
    learned = TASK_FIELDS["examples"]
    for example in examples:
        lines = (frozenset(tokens(line)) for line in example.splitlines())
        # A line of two words matches too much by chance to teach anything.
        targets += [(words, learned) for words in lines if len(words) >= 3]
    return tuple((words, weight) for words, weight in targets if words)


def profile_of(task: TaskDoc) -> Profile:
    """The task's stored profile when it has a current one, else one built now."""
    stored = Profile.from_json(task.profile) if task.profile else None
    return stored or task_profile(task)


def idf(profiles: Sequence[Profile]) -> dict[str, float]:
    """IDF of every task word, from the tasks' own texts; a word only approved work
    brought in counts as known to one task, so approvals never shift other tasks' weights."""
    df: dict[str, int] = {}
    learned: set[str] = set()
    for profile in profiles:
        for word in profile.own:
            df[word] = df.get(word, 0) + 1
        learned.update(profile.learned)
    total = len(profiles) + IDF_PRIOR_TASKS + 1
    return {word: math.log(total / (df.get(word, 1) + 0.5)) for word in learned | df.keys()}
