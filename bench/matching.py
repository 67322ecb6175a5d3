"""Score a task matcher on a bench file (format: shared/bench/README.md).

    python bench/matching.py DATA.json [--matcher NAME] [--no-summary] [--json] [--learn]

Prints precision, recall and F1 over (submission, task) pairs, the share of
negative submissions left unmatched, latency per submission (on the file's briefs,
and against one brief of 500 tasks whose representations were built in advance, as
stored by the app), how well sessions that did two tasks link both, and a
calibration table. `--learn` replays each brief in time
order, feeding every scored submission's gold tasks back as approvals, and compares
F1 on the later submissions with and without that learning.
"""

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from submissions.matching import (  # noqa: E402
    DEFAULT_MATCHER,
    MATCHERS,
    get_matcher,
    with_profile,
    work_text,
)
from submissions.matching.base import (  # noqa: E402
    ActivityDoc,
    Matcher,
    MatchOutcome,
    SnippetDoc,
    TaskDoc,
    WorkDoc,
)

LARGE_BRIEF = 500
BUCKETS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.0))


@dataclass(frozen=True)
class Case:
    id: str
    brief_id: str
    work: WorkDoc
    gold: frozenset[str]
    started: int  # ms since the epoch, the first activity's timestamp


@dataclass(frozen=True)
class Result:
    case: Case
    outcome: MatchOutcome
    ms: float

    @property
    def predicted(self) -> set[str]:
        return {match.task_id for match in self.outcome.matches}


def load(path: Path, no_summary: bool = False) -> tuple[dict[str, list[TaskDoc]], list[Case]]:
    """The briefs' tasks by brief id, and the submissions as cases."""
    data = json.loads(Path(path).read_text())
    briefs = {brief["id"]: [_task(task) for task in brief["tasks"]] for brief in data["briefs"]}
    cases = [_case(item, no_summary) for item in data["submissions"]]
    return briefs, cases


def _task(raw: dict[str, Any]) -> TaskDoc:
    return TaskDoc(
        id=raw["id"],
        key=raw.get("key") or "",
        role=raw.get("role") or "dev",
        title=raw.get("title") or "",
        description=raw.get("description") or "",
        examples=tuple(raw.get("examples") or ()),
    )


def _case(item: dict[str, Any], no_summary: bool) -> Case:
    payload = item["payload"]
    activities = payload.get("activities") or []
    work = WorkDoc(
        role=payload.get("role") or "dev",
        summary=() if no_summary else tuple(payload.get("summary") or ()),
        activities=tuple(
            ActivityDoc(
                app=a.get("app") or "",
                title=a.get("title") or "",
                summary=a.get("summary") or "",
                duration=int(a.get("duration") or 0),
            )
            for a in activities
        ),
        snippets=tuple(
            SnippetDoc(text=s.get("text") or "", context=s.get("context") or "code")
            for s in payload.get("snippets") or []
        ),
    )
    started = min((int(a.get("timestamp") or 0) for a in activities), default=0)
    return Case(item["id"], item["briefId"], work, frozenset(item.get("gold") or ()), started)


def run(matcher: Matcher, cases: Iterable[Case], briefs: dict[str, list[TaskDoc]]) -> list[Result]:
    results = []
    for case in cases:
        start = time.perf_counter()
        outcome = matcher.match(case.work, briefs[case.brief_id])
        results.append(Result(case, outcome, (time.perf_counter() - start) * 1000))
    return results


def pair_scores(results: Sequence[Result]) -> dict[str, float]:
    """Precision, recall and F1 over (submission, task) pairs."""
    hits = sum(len(r.predicted & r.case.gold) for r in results)
    predicted = sum(len(r.predicted) for r in results)
    gold = sum(len(r.case.gold) for r in results)
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def score(results: Sequence[Result]) -> dict[str, Any]:
    negatives = [r for r in results if not r.case.gold]
    latencies = sorted(r.ms for r in results)
    return {
        "submissions": len(results),
        **pair_scores(results),
        "negatives_unmatched": _share(not r.predicted for r in negatives),
        "needs_review": _share(r.outcome.needs_review for r in results),
        "latency_ms": {"p50": _percentile(latencies, 0.5), "p99": _percentile(latencies, 0.99)},
        "calibration": calibration(results),
        "above_0_8_correct": _share(
            m.task_id in r.case.gold
            for r in results
            for m in r.outcome.matches
            if m.confidence > 0.8
        ),
    }


def calibration(results: Sequence[Result]) -> list[dict[str, Any]]:
    """Per confidence bucket: how many matches, and the share of them that are right."""
    rows = []
    for low, high in BUCKETS:
        right = [
            m.task_id in r.case.gold
            for r in results
            for m in r.outcome.matches
            if (m.confidence == 1.0 if low == high else low <= m.confidence < high)
        ]
        label = "1.0" if low == high else f"[{low:.1f},{high:.1f})"
        rows.append({"bucket": label, "count": len(right), "correct": _share(right)})
    return rows


def large_brief_latency(
    matcher: Matcher, cases: Sequence[Case], briefs: dict[str, list[TaskDoc]]
) -> dict[str, float]:
    """Latency per submission against one brief of `LARGE_BRIEF` tasks (every task of the
    file, repeated under new ids), their representations built in advance as stored."""
    every = [task for tasks in briefs.values() for task in tasks]
    large = [
        with_profile(replace(every[i % len(every)], id=f"large-{i}")) for i in range(LARGE_BRIEF)
    ]
    latencies = sorted(r.ms for r in run(matcher, cases, {c.brief_id: large for c in cases}))
    return {"p50": _percentile(latencies, 0.5), "p99": _percentile(latencies, 0.99)}


def two_task_sessions(
    matcher: Matcher, cases: Sequence[Case], briefs: dict[str, list[TaskDoc]]
) -> dict[str, Any]:
    """Sessions that did two tasks, made by merging pairs of one brief's single-task
    submissions (summary lines, activities and snippets): how often both tasks are
    linked and nothing else, and F1 over their pairs."""
    singles: dict[str, list[Case]] = {}
    for case in cases:
        if len(case.gold) == 1:
            singles.setdefault(case.brief_id, []).append(case)
    merged = [
        Case(
            f"{a.id}+{b.id}",
            a.brief_id,
            replace(
                a.work,
                summary=(*a.work.summary, *b.work.summary),
                activities=(*a.work.activities, *b.work.activities),
                snippets=(*a.work.snippets, *b.work.snippets),
            ),
            a.gold | b.gold,
            a.started,
        )
        for group in singles.values()
        for a, b in zip(group[::2], group[1::2], strict=False)
        if a.gold != b.gold
    ]
    results = run(matcher, merged, briefs)
    return {
        "sessions": len(results),
        "both_linked": _share(r.predicted == r.case.gold for r in results),
        **pair_scores(results),
    }


def learn(
    matcher_name: str, cases: Sequence[Case], briefs: dict[str, list[TaskDoc]]
) -> dict[str, Any]:
    """Replay each brief in time order; approvals teach the matcher the gold tasks' work.

    Scored on the later submissions (those after a brief's first approval), and on the
    repeat ones among them (a gold task of theirs was approved before).
    """
    matcher = get_matcher(matcher_name)
    with_learning: list[Result] = []
    without: list[Result] = []
    repeat: list[int] = []
    for brief_id, tasks in briefs.items():
        taught = {task.id: task for task in tasks}
        for case in sorted((c for c in cases if c.brief_id == brief_id), key=lambda c: c.started):
            if any(task.examples for task in taught.values()):
                if any(taught[task_id].examples for task_id in case.gold & taught.keys()):
                    repeat.append(len(without))
                with_learning += run(matcher, [case], {brief_id: list(taught.values())})
                without += run(matcher, [case], briefs)
            for task_id in case.gold & taught.keys():
                task = taught[task_id]
                taught[task_id] = replace(task, examples=(*task.examples, work_text(case.work)))
    return {
        "later_submissions": len(without),
        "f1_without_learning": pair_scores(without)["f1"],
        "f1_with_learning": pair_scores(with_learning)["f1"],
        "repeat_submissions": len(repeat),
        "repeat_f1_without_learning": pair_scores([without[i] for i in repeat])["f1"],
        "repeat_f1_with_learning": pair_scores([with_learning[i] for i in repeat])["f1"],
    }


def evaluate(
    path: Path | str,
    matcher: str = DEFAULT_MATCHER,
    no_summary: bool = False,
    with_learning: bool = False,
) -> dict[str, Any]:
    """The full report for one bench file, as printed by `main`."""
    briefs, cases = load(Path(path), no_summary)
    report = {"data": str(path), "matcher": matcher, "no_summary": no_summary}
    report.update(score(run(get_matcher(matcher), cases, briefs)))
    report["latency_ms_500_tasks"] = large_brief_latency(get_matcher(matcher), cases, briefs)
    report["two_tasks"] = two_task_sessions(get_matcher(matcher), cases, briefs)
    if with_learning:
        report["learn"] = learn(matcher, cases, briefs)
    return report


def render(report: dict[str, Any]) -> str:
    mode = "files and snippets only" if report["no_summary"] else "with summaries"
    large, two = report["latency_ms_500_tasks"], report["two_tasks"]
    lines = [
        f"matcher {report['matcher']} on {report['data']} ({mode}), "
        f"{report['submissions']} submissions",
        f"precision {report['precision']:.3f}  recall {report['recall']:.3f}  "
        f"F1 {report['f1']:.3f}",
        f"negatives left unmatched {report['negatives_unmatched']:.3f}  "
        f"needs review {report['needs_review']:.3f}",
        f"latency per submission p50 {report['latency_ms']['p50']:.2f} ms  "
        f"p99 {report['latency_ms']['p99']:.2f} ms",
        f"against a brief of {LARGE_BRIEF} tasks p50 {large['p50']:.2f} ms  "
        f"p99 {large['p99']:.2f} ms",
        f"matches with confidence > 0.8 right: {report['above_0_8_correct']:.3f}",
        f"{two['sessions']} two-task sessions (two submissions merged): both tasks and "
        f"nothing else linked {two['both_linked']:.3f}  F1 {two['f1']:.3f}",
        "confidence     matches  correct",
    ]
    lines += [
        f"{r['bucket']:<14} {r['count']:>7}  {r['correct']:.3f}" for r in report["calibration"]
    ]
    if "learn" in report:
        learned = report["learn"]
        lines.append(
            f"learning, {learned['later_submissions']} later submissions: "
            f"F1 {learned['f1_without_learning']:.3f} without, "
            f"{learned['f1_with_learning']:.3f} with; "
            f"{learned['repeat_submissions']} of them on an approved task: "
            f"F1 {learned['repeat_f1_without_learning']:.3f} without, "
            f"{learned['repeat_f1_with_learning']:.3f} with"
        )
    return "\n".join(lines)


def _share(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else 0.0


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data", type=Path, help="bench file, e.g. ../shared/bench/matching-dev.json"
    )
    parser.add_argument("--matcher", default=DEFAULT_MATCHER, choices=sorted(MATCHERS))
    parser.add_argument("--no-summary", action="store_true", help="drop the summary lines")
    parser.add_argument("--json", action="store_true", help="also print the report as JSON")
    parser.add_argument("--learn", action="store_true", help="replay approvals in time order")
    args = parser.parse_args(argv)
    report = evaluate(args.data, args.matcher, args.no_summary, args.learn)
    print(render(report))
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
