from django.contrib import admin

from .models import AuditEvent, CalendarOverride


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: history is appended by services, never edited."""

    list_display = ["at", "actor", "verb", "object_repr"]
    list_filter = ["verb", "content_type"]
    search_fields = ["verb", "object_repr", "actor__username"]
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """The office enters its own days, or next year's Government notice, here."""

    list_display = ["day", "kind", "reason", "source", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["reason", "source"]
    date_hierarchy = "day"
