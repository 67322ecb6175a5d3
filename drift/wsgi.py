"""WSGI entry point: production HTTP (gunicorn)."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drift.settings")

application = get_wsgi_application()

# Python collects its oldest generation only once it has grown by a quarter of what it
# holds. A request's garbage is cyclic (a DRF view and its response refer to each other
# and to the request) and a large POST outlives a young collection, so with Django's
# long-lived objects counted, 1000-activity POSTs piled up tens of MB between full
# collections. Frozen once everything is loaded, they no longer count, and full
# collections keep pace with the garbage (README "Performance", Memory).
import_module(settings.ROOT_URLCONF)
gc.freeze()
