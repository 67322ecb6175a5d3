"""Explicit references: a task's key or its exact title, typed by the person.

They beat any word overlap: `APP-3`, `#app-3` or `feature/app-3-webhook` in a
window title or summary names the task outright, and so does its title in
quotes in a summary line.
"""

import re
from collections.abc import Sequence
from functools import lru_cache

from submissions.matching.base import TaskDoc, WorkDoc

# Straight, curly and back quotes; a single quote only where it is no apostrophe.
_QUOTED = re.compile(
    "\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u2018([^\u2019]+)\u2019|`([^`]+)`|(?<!\\w)'([^']+)'(?!\\w)"
)
_SPACES = re.compile(r"\s+")


# A key such as APP-3, #app-3 or app_3, not inside a longer word or number.
_KEY = re.compile(r"(?<![A-Za-z0-9])#?([A-Za-z][A-Za-z0-9]*?)[-_]?([0-9]+)(?![0-9])")


def _key_id(prefix: str, number: str) -> tuple[str, int]:
    return prefix.casefold(), int(number)


@lru_cache(maxsize=8192)
def _normal(text: str) -> str:
    return _SPACES.sub(" ", text).strip().rstrip(".…").strip().casefold()


def _places(work: WorkDoc) -> list[tuple[str, str]]:
    """Every text of the work with a label for reasons, summary lines first."""
    places = [(f"summary line {i}", line) for i, line in enumerate(work.summary, 1)]
    for activity in work.activities:
        places += [(f"{activity.app or 'window'} title", activity.title)]
        places += [("activity", activity.summary)] if activity.summary else []
    places += [("snippet", snippet.text) for snippet in work.snippets]
    return places


def explicit_references(work: WorkDoc, tasks: Sequence[TaskDoc]) -> dict[str, str]:
    """Task id -> reason, for the tasks the work names by key or quoted title."""
    found = _key_references(work, tasks)
    quoted = [
        (i, _normal(next(group for group in match.groups() if group)))
        for i, line in enumerate(work.summary, 1)
        for match in _QUOTED.finditer(line)
    ]
    for task in tasks:
        reason = None if task.id in found else _title_reason(task, quoted)
        if reason:
            found[task.id] = reason
    return found


def _key_references(work: WorkDoc, tasks: Sequence[TaskDoc]) -> dict[str, str]:
    """One scan of the work for anything shaped like a key, looked up among the tasks'."""
    keyed = {}
    for task in tasks:
        match = _KEY.fullmatch(task.key.strip()) if task.key else None
        if match:
            keyed.setdefault(_key_id(*match.groups()), task)
    found: dict[str, str] = {}
    for label, text in _places(work) if keyed else ():
        for match in _KEY.finditer(text):
            task = keyed.get(_key_id(*match.groups()))
            if task and task.id not in found:
                found[task.id] = f'key {task.key} named in {label} "{_clip(text)}"'
    return found


def _title_reason(task: TaskDoc, quoted: list[tuple[int, str]]) -> str | None:
    title = _normal(task.title)
    if len(title) < 8:
        return None
    for line, text in quoted:
        if text == title:
            return f'summary line {line} quotes the task title "{_clip(task.title)}"'
    return None


def _clip(text: str, limit: int = 60) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
