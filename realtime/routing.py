"""WebSocket routes, mounted by `drift.asgi`."""

from django.urls import path

from realtime.consumers import EventsConsumer

websocket_urlpatterns = [path("ws", EventsConsumer.as_asgi())]
