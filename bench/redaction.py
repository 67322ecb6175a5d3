"""Time secret redaction on the texts of one large submission, built from a bench file's
real activities and snippets (format: shared/bench/README.md).

    python bench/redaction.py DATA.json [--activities 1000] [--snippets 20]

Prints the best of 30 runs over the submission's texts (each activity's title and
summary, the snippets, the summary lines), as `submission_create` redacts them.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from submissions.redaction import redact  # noqa: E402

RUNS = 30


def submission_texts(path: Path, activities: int, snippets: int) -> list[str]:
    payloads = [s["payload"] for s in json.loads(path.read_text())["submissions"]]
    seen = [a for p in payloads for a in p["activities"]]
    texts = [
        t
        for i in range(activities)
        for t in (seen[i % len(seen)]["title"], seen[i % len(seen)]["summary"])
    ]
    texts += [s["text"] for p in payloads for s in p["snippets"]][:snippets]
    return texts + [line for p in payloads for line in p["summary"]][:5]


def best_ms(texts: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for text in texts:
            redact(text)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--snippets", type=int, default=20)
    args = parser.parse_args()
    texts = submission_texts(args.data, args.activities, args.snippets)
    print(
        f"{args.activities} activities, {args.snippets} snippets ({len(texts)} texts, "
        f"{sum(map(len, texts)):,} chars): {best_ms(texts):.2f} ms"
    )


if __name__ == "__main__":
    main()
