"""WSGI entry point: production HTTP (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

from drift.memory import freeze_loaded_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drift.settings")

application = get_wsgi_application()
freeze_loaded_application()
