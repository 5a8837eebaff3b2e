from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.calendar import GOVERNMENT_CALENDAR, government_calendar_load
from core.exceptions import DomainError


class Command(BaseCommand):
    help = "Load the Government's swapped days off and make-up working days (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(GOVERNMENT_CALENDAR))

    def handle(self, *args, file, **options):
        try:
            report = government_calendar_load(path=Path(file))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"calendar: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
