"""Administration: directives and assignments are read
here and changed through the pages (their services keep the timeline and the flows)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyMixin

from .models import (
    Assignment,
    Directive,
    DirectiveItem,
    ExtensionRequest,
    ProgressReport,
    RecurringObligation,
)


class ItemInline(ReadOnlyMixin, admin.TabularInline):
    model = DirectiveItem
    extra = 0
    fields = ["number", "order", "text"]


@admin.register(Directive)
class DirectiveAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "issued_on", "issuer", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "title"]
    list_select_related = ["issuer"]
    inlines = [ItemInline]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "agency", "role", "modality", "due_date", "state"]
    list_filter = ["state", "role", "modality", "source"]
    search_fields = ["title", "agency__code", "agency_text"]
    list_select_related = ["agency"]
    date_hierarchy = "due_date"


@admin.register(RecurringObligation)
class RecurringObligationAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "agency",
        "period",
        "due",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["period"]
    search_fields = ["title", "agency__code"]
    list_select_related = ["agency"]

    @admin.display(description=_("deadline"))
    def due(self, obligation):
        return obligation.due_text


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "assignment", "kind", "author", "submitted_at", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["text", "assignment__title"]
    list_select_related = ["assignment", "author"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "assignment", "current_due_date", "requested_due_date", "status"]
    list_filter = ["status"]
    search_fields = ["reason", "assignment__title"]
    list_select_related = ["assignment"]
