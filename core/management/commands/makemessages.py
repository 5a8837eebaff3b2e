"""``makemessages`` that also reads ``_lazy("…")``: the views import ``gettext_lazy as _lazy``
beside ``gettext as _`` (labels made at import time, translated when shown), and Django's
command knows only the functions' own names and ``_``. Without it those labels never reach
the catalogue and show in English."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
