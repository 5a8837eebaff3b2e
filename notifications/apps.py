from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core import profile

        from . import access  # noqa: F401  (registers the access rules)
        from .views import preferences_section

        profile.register(
            profile.ProfileSection(
                "notices", "notifications/_preferences.html", preferences_section
            )
        )
