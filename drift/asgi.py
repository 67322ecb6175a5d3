"""ASGI entry point: HTTP and the `/ws` WebSocket (daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drift.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from drift.logging import redact_daphne_access_log  # noqa: E402
from drift.memory import freeze_loaded_application  # noqa: E402
from drift.middleware import BodySizeLimitASGI  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

redact_daphne_access_log()
application = ProtocolTypeRouter(
    {
        # Bodies are counted as they arrive: a chunked one declares no length.
        "http": BodySizeLimitASGI(django_asgi_app),
        # Origins checked against ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS (realtime.routing).
        "websocket": websocket_application(),
    }
)
freeze_loaded_application()
