"""Settings for `bench/serving.py`: DRIFT's own, plus the two bare ceiling views."""

from drift.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
