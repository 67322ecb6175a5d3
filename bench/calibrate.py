"""Fit the lexical matcher's confidence on a bench file, and check it on unseen briefs.

    python bench/calibrate.py DATA.json

The confidence is a logistic function of the best task's evidence (see
`submissions/matching/lexical/matcher.py`, `CALIBRATION`); its label is whether the
best task is a gold one. Submissions with and without their summary lines are pooled.
Prints the coefficients fitted on the whole file, and the F1 of linking the best task
at `LINK` with coefficients fitted on all briefs but the one scored (leave-one-brief-out)
next to the same figure in-sample: close figures mean the fit does not learn the briefs.
"""

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.matching import Case, load  # noqa: E402
from submissions.matching.base import TaskDoc  # noqa: E402
from submissions.matching.lexical.evidence import summary_lines  # noqa: E402
from submissions.matching.lexical.matcher import CALIBRATION, LINK, features, score  # noqa: E402

STEPS = 50
L2 = 0.01


@dataclass(frozen=True)
class Row:
    brief_id: str
    features: tuple[float, ...]  # as CALIBRATION weighs them, after the intercept
    right: bool  # the best task is a gold one
    gold: int
    no_summary: bool


def rows(briefs: dict[str, list[TaskDoc]], cases: Sequence[Case], no_summary: bool) -> list[Row]:
    out = []
    for case in cases:
        best, runner_up = score(case.work, briefs[case.brief_id])[:2]
        values = features(best, runner_up, bool(summary_lines(case.work)))
        out.append(
            Row(case.brief_id, values, best.task.id in case.gold, len(case.gold), no_summary)
        )
    return out


def fit(data: Sequence[Row]) -> tuple[float, ...]:
    """Logistic regression by Newton's method (L2 on the weights, not the intercept)."""
    size = len(data[0].features) + 1
    weights = [0.0] * size
    for _ in range(STEPS):
        gradient = [L2 * w if i else 0.0 for i, w in enumerate(weights)]
        hessian = [[L2 if i == j and i else 0.0 for j in range(size)] for i in range(size)]
        for row in data:
            x = (1.0, *row.features)
            p = _sigmoid(sum(w * v for w, v in zip(weights, x, strict=True)))
            for i in range(size):
                gradient[i] += (p - row.right) * x[i] / len(data)
                for j in range(size):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j] / len(data)
        step = _solve(hessian, gradient)
        weights = [w - d for w, d in zip(weights, step, strict=True)]
        if max(map(abs, step)) < 1e-9:
            break
    return tuple(weights)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x == vector, by Gaussian elimination with partial pivoting."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, size):
            factor = rows[r][col] / rows[col][col]
            rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    x = [0.0] * size
    for r in reversed(range(size)):
        x[r] = (rows[r][size] - sum(rows[r][c] * x[c] for c in range(r + 1, size))) / rows[r][r]
    return x


def probability(weights: Sequence[float], row: Row) -> float:
    return _sigmoid(weights[0] + sum(w * v for w, v in zip(weights[1:], row.features, strict=True)))


def f1(data: Sequence[Row], sure: Sequence[float]) -> float:
    """F1 over (submission, task) pairs when the best task is linked at `LINK`."""
    linked = [row for row, p in zip(data, sure, strict=True) if p >= LINK]
    hits = sum(row.right for row in linked)
    gold = sum(row.gold for row in data)
    precision, recall = hits / len(linked) if linked else 0.0, hits / gold if gold else 0.0
    return 2 * precision * recall / (precision + recall) if hits else 0.0


def leave_one_brief_out(data: Sequence[Row]) -> list[float]:
    sure = [0.0] * len(data)
    for brief_id in {row.brief_id for row in data}:
        weights = fit([row for row in data if row.brief_id != brief_id])
        for i, row in enumerate(data):
            if row.brief_id == brief_id:
                sure[i] = probability(weights, row)
    return sure


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data", type=Path, help="bench file, e.g. ../shared/bench/matching-dev.json"
    )
    args = parser.parse_args(argv)
    data = []
    for no_summary in (False, True):
        briefs, cases = load(args.data, no_summary)
        data += rows(briefs, cases, no_summary)
    weights = fit(data)
    held_out = leave_one_brief_out(data)
    print("fitted CALIBRATION = (" + ", ".join(f"{w:.2f}" for w in weights) + ")")
    print("in use CALIBRATION = (" + ", ".join(f"{w:.2f}" for w in CALIBRATION) + ")")
    for no_summary in (False, True):
        mode = "files and snippets only" if no_summary else "with summaries"
        part = [i for i, row in enumerate(data) if row.no_summary == no_summary]
        subset = [data[i] for i in part]
        print(
            f"{mode}: F1 of the best task at {LINK}: "
            f"in use {f1(subset, [probability(CALIBRATION, row) for row in subset]):.3f}, "
            f"fitted here {f1(subset, [probability(weights, row) for row in subset]):.3f}, "
            f"leave-one-brief-out {f1(subset, [held_out[i] for i in part]):.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
