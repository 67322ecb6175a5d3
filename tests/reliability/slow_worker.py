"""A Celery worker whose matcher announces that it started (touching the file named by
`DRIFT_TEST_MARKER`) and then hangs, so that a test can SIGKILL it mid-matching."""

import os
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drift.settings")
django.setup()

from drift.celery import app  # noqa: E402
from submissions import services  # noqa: E402


class HangingMatcher:
    name = "hanging"

    def match(self, work: Any, tasks: Any) -> Any:
        Path(os.environ["DRIFT_TEST_MARKER"]).touch()
        time.sleep(600)


services.get_matcher = lambda name=None: HangingMatcher()

if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
