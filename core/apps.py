from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import profile, twofactor

        profile.register(
            profile.ProfileSection("two-factor", "core/_two_factor.html", twofactor.profile_section)
        )
