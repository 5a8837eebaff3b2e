from django.contrib import admin

from .models import AuditEvent, CalendarOverride


class ReadOnlyMixin:
    """Rows that only services write (the history, the work): read here, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: history is appended by services, never edited."""

    list_display = ["at", "actor", "verb", "object_repr", "channel", "ip_address"]
    list_filter = ["verb", "channel", "content_type"]
    search_fields = ["verb", "object_repr", "actor__username", "ip_address"]
    list_select_related = ["actor", "content_type"]
    # From where, beside who, what and when (all read-only: no change permission).
    readonly_fields = ["channel", "ip_address"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """The office enters its own days, or next year's Government notice, here."""

    list_display = ["day", "kind", "reason", "source", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["reason", "source"]
    date_hierarchy = "day"
