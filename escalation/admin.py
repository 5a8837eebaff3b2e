"""Administration: the escalation policy and its levels are edited here (offsets, audience,
urgency); escalations themselves are read here and decided on the office's pages."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Escalation, EscalationLevel, EscalationPolicy


class LevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0
    fields = ["kind", "offset_working_days", "audience", "urgent"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "directive"]
    list_select_related = ["directive"]
    search_fields = ["name", "directive__title"]
    inlines = [LevelInline]


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    list_display = ["policy", "kind", "offset_working_days", "audience", "urgent"]
    list_filter = ["kind", "audience", "urgent"]
    list_select_related = ["policy"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "assignment", "level", "due_date", "raised_at", "resolved_at"]
    list_filter = ["level__kind", "resolution"]
    list_select_related = ["assignment", "level"]
    search_fields = ["assignment__title"]
