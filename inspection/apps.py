from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = _("Inspection")

    def ready(self):
        from . import access, inbox, services  # noqa: F401  (registers the access rules)

        inbox.register()
        services.hooks_connect()
        from workflow import evidence

        from .models import FindingEvidence
        from .services.evidence import FOLDER

        evidence.folder_register(FOLDER, FindingEvidence)  # swept for orphans
