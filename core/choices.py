from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class OverrideOrigin(models.TextChoices):
    GOVERNMENT = "government", _("The Government's notice")
    OFFICE = "office", _("The provincial office")
