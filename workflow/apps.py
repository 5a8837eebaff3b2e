from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Directives and assignments")

    def ready(self):
        from . import access, inbox  # noqa: F401  (registers the access rules)

        inbox.register()
