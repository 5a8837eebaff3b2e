from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, AgencyAlias, AgencyVersion, Membership, Succession, User


class AgencyVersionInline(admin.TabularInline):
    model = AgencyVersion
    fk_name = "agency"
    extra = 0
    fields = ["valid_from", "valid_until", "name", "short_name", "kind", "parent", "verified"]
    autocomplete_fields = ["parent"]


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 0
    fields = ["text"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "current_name", "current_kind"]
    list_filter = ["versions__kind"]
    search_fields = ["code", "versions__name", "versions__short_name", "aliases__text"]
    inlines = [AgencyVersionInline, AgencyAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=_("name"))
    def current_name(self, obj):
        version = obj.latest_version
        return version.name if version else ""

    @admin.display(description=_("kind"))
    def current_kind(self, obj):
        version = obj.latest_version
        return version.get_kind_display() if version else ""


@admin.register(AgencyVersion)
class AgencyVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "kind", "parent", "valid_from", "valid_until", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "short_name", "agency__code"]
    autocomplete_fields = ["agency", "parent"]
    list_select_related = ["agency", "parent"]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "kind", "successor", "effective_on", "function", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["predecessor__code", "successor__code", "function", "legal_basis"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]


@admin.register(AgencyAlias)
class AgencyAliasAdmin(admin.ModelAdmin):
    list_display = ["text", "agency", "key"]
    search_fields = ["text", "key", "agency__code"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "title", "valid_from", "valid_until"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "agency__code", "title"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Profile"), {"fields": ["full_name"]}),)
