from django.core.management.base import BaseCommand

from notifications.services import digests_send


class Command(BaseCommand):
    help = "Send today's digest e-mail to everyone with new notices (at most one a day)."

    def handle(self, *args, **options):
        self.stdout.write(f"{digests_send()} digests sent.")
