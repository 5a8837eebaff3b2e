from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from workflow.services import occurrences_generate


class Command(BaseCommand):
    help = "Create the recurring-report assignments whose period starts within --ahead days."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=90, help="days ahead (default 90)")

    def handle(self, *args, ahead, **options):
        until = timezone.localdate() + timedelta(days=ahead)
        created = occurrences_generate(until=until)
        self.stdout.write(
            f"{len(created)} occurrences created (periods starting by {until:%d/%m/%Y})."
        )
