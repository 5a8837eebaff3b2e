from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from . import tallies

        # SQLite drops a table's triggers when a migration rebuilds the table (any later
        # migration of workflow or escalation may): put the tallies' triggers back after each
        # migrate (a no-op when they are in place).
        post_migrate.connect(tallies.reinstall, sender=self)
        # The office's unfiltered lists count every assignment: from the tally (issue 10).
        tallies.register_totals()
