"""HybridMatcher: the offline matcher shortlists, a chat model decides.

The lexical matcher's best candidates (and only they) go to the model, with the work
redacted of secrets, and the answer must follow a JSON schema of task ids, confidences
and reasons. Ids the model invents are dropped. When the model cannot be used (no
budget left, a timeout, an error, a refusal, an answer that breaks the schema or names
only tasks it invented) the offline outcome stands, under a matcher name that says so
and that a PM reads in the submission's history: `lexical (LLM timeout)`.
"""

import json
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from submissions.matching.base import Match, MatchOutcome, TaskDoc, WorkDoc
from submissions.matching.chat import Chat, ChatFailure, OpenAIChat
from submissions.matching.lexical import LexicalMatcher
from submissions.redaction import redact

logger = logging.getLogger(__name__)

SHORTLIST = 8  # candidates the model chooses among
LINK = 0.5  # a task the model is less sure of is not linked
SURE = 0.8  # below this a PM should look
WINDOWS = 30  # the longest-used windows of a session that the model reads
EXAMPLES = 3  # approved work shown per task, latest first
CLIP = 400  # characters of a description, an example or a reason

INSTRUCTIONS = """\
You match one work session of a software team member to the tasks of a project brief.
The user message is JSON: the session (its summary lines, the windows used with minutes,
code or terminal snippets) and the candidate tasks (id, key, role, title, description,
and work a project manager approved for the task before).
Answer with the tasks this session advanced, best first, choosing only among the
candidates' ids. For each, give a confidence from 0 to 1 that the task is right (0.9:
you would be wrong once in ten) and a one-line reason naming the evidence: which summary
line, file, window or snippet shows work on the task. Work of another role than the
task's needs stronger evidence. If no candidate fits, answer an empty list."""


@dataclass(frozen=True)
class HybridOutcome(MatchOutcome):
    tokens: int = 0  # what the model call cost, for the org's monthly budget


class HybridMatcher:
    """The LLM hybrid. `tokens_left` is what remains of the org's monthly budget (None:
    no budget); without a `chat`, OpenAI's client is configured from the environment
    (`OPENAI_API_KEY`, `OPENAI_BASE_URL`), as the bench runs it."""

    name = "hybrid"

    def __init__(self, chat: Chat | None = None, *, tokens_left: int | None = None) -> None:
        self.chat = chat or OpenAIChat()
        self.tokens_left = tokens_left
        self.offline = LexicalMatcher()

    def match(self, work: WorkDoc, tasks: Sequence[TaskDoc]) -> HybridOutcome:
        offline = self.offline.match(work, tasks)
        if offline.matches and all(m.confidence >= 1.0 for m in offline.matches):
            return _kept(offline)  # an explicit task key or title: nothing to ask
        if self.tokens_left is not None and self.tokens_left <= 0:
            return _kept(offline, "budget spent")
        shortlist = self.offline.shortlist(work, tasks, limit=SHORTLIST)
        if not shortlist:
            return _kept(offline)
        try:
            reply = self.chat.complete(prompt(work, shortlist), answer_schema(shortlist))
        except ChatFailure as failure:
            return _kept(offline, failure.why, failure.tokens)
        if reply.refusal:
            return _kept(offline, "refusal", reply.tokens)
        answer = proposals(reply.content)
        if answer is None:
            return _kept(offline, "malformed", reply.tokens)
        return self._decide(answer, shortlist, offline, reply.tokens)

    def _decide(
        self, answer: list[Match], shortlist: list[TaskDoc], offline: MatchOutcome, tokens: int
    ) -> HybridOutcome:
        known = {task.id for task in shortlist}
        proposed: dict[str, Match] = {}
        for proposal in answer:
            if proposal.task_id in known:
                proposed.setdefault(proposal.task_id, proposal)
        if answer and not proposed:
            return _kept(offline, "unknown ids", tokens)
        ranked = sorted(proposed.values(), key=lambda m: m.confidence, reverse=True)
        matches = tuple(m for m in ranked if m.confidence >= LINK)
        overruled = {m.task_id for m in offline.matches} - {m.task_id for m in matches}
        weak = matches[0].confidence < SURE if matches else offline.needs_review
        return HybridOutcome(self.name, matches, weak or bool(overruled), tokens)


def _kept(offline: MatchOutcome, why: str = "", tokens: int = 0) -> HybridOutcome:
    """The offline outcome, named for why the model did not decide (no `why`: it had
    nothing to decide)."""
    if not why:
        return HybridOutcome(offline.matcher, offline.matches, offline.needs_review, tokens)
    logger.warning("LLM matching fell back to %s: %s", offline.matcher, why)
    name = f"{offline.matcher} (LLM {why})"
    return HybridOutcome(name, offline.matches, offline.needs_review, tokens)


def proposals(content: str | None) -> list[Match] | None:
    """The model's answer as matches (confidence clamped to 0-1), or None when it is not
    JSON of the schema's shape."""
    try:
        return [
            Match(str(item["taskId"]), _confidence(item["confidence"]), _clip(str(item["reason"])))
            for item in json.loads(content or "")["matches"]
        ]
    except (ValueError, KeyError, TypeError):
        return None


def _confidence(value: Any) -> float:
    confidence = float(value)
    if not math.isfinite(confidence):
        raise ValueError(f"confidence {value!r}")
    return round(min(max(confidence, 0.0), 1.0), 3)


def prompt(work: WorkDoc, tasks: Sequence[TaskDoc]) -> list[dict[str, str]]:
    """The messages for the model; every text of the work is redacted of secrets here,
    whatever was redacted on storage, because this is where it leaves the server."""
    session = {
        "role": work.role,
        "summary": [redact(line) for line in work.summary],
        "windows": _windows(work),
        "snippets": [{"context": s.context, "text": redact(s.text)} for s in work.snippets],
    }
    candidates = [
        {
            "id": task.id,
            "key": task.key,
            "role": task.role,
            "title": redact(task.title),
            "description": redact(_clip(task.description)),
            "approvedWork": [redact(_clip(text)) for text in task.examples[:EXAMPLES]],
        }
        for task in tasks
    ]
    content = json.dumps({"session": session, "tasks": candidates}, ensure_ascii=False)
    return [
        {"role": "system", "content": INSTRUCTIONS},
        {"role": "user", "content": content},
    ]


def _windows(work: WorkDoc) -> list[str]:
    """The session's windows, longest used first, each once: `app: title (N min): note`."""
    minutes: dict[tuple[str, str], int] = defaultdict(int)
    notes: dict[tuple[str, str], str] = {}
    for activity in work.activities:
        window = (activity.app, activity.title)
        minutes[window] += activity.duration
        notes.setdefault(window, activity.summary)
    longest = sorted(minutes, key=lambda window: minutes[window], reverse=True)[:WINDOWS]
    return [
        redact(f"{app}: {title} ({minutes[app, title]} min): {notes[app, title]}")
        for app, title in longest
    ]


def answer_schema(tasks: Sequence[TaskDoc]) -> dict[str, Any]:
    """The JSON schema the answer must follow (strict structured output): task ids of
    the shortlist only, a confidence and a reason for each."""
    return {
        "type": "object",
        "properties": {
            "matches": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "taskId": {"type": "string", "enum": [task.id for task in tasks]},
                        "confidence": {"type": "number", "description": "0 to 1"},
                        "reason": {"type": "string"},
                    },
                    "required": ["taskId", "confidence", "reason"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["matches"],
        "additionalProperties": False,
    }


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"
