"""Read-only views of the event log and the recording presence, for operators."""

from django.contrib import admin
from django.http import HttpRequest

from realtime.models import Event, RecordingPresence


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["org_id", "seq", "type", "brief_id", "request_id", "created_at"]
    list_filter = ["type"]
    search_fields = ["org_id", "=brief_id", "=request_id"]
    ordering = ["-created_at"]


@admin.register(RecordingPresence)
class RecordingPresenceAdmin(ReadOnlyAdmin):
    list_display = ["org_id", "user_name", "brief_id", "duration", "expires_at"]
