from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class OverrideOrigin(models.TextChoices):
    GOVERNMENT = "government", _("The Government's notice")
    OFFICE = "office", _("The provincial office")


class AuditChannel(models.TextChoices):
    """Where an audited change came from (``core.audit``; set per request by
    ``core.middleware.AuditOriginMiddleware``). Empty on events recorded before it was kept."""

    PAGE = "page", _("Web page")
    API = "api", _("API")
    ADMIN = "admin", _("Administration site")
    COMMAND = "command", _("Command or scheduled job")
