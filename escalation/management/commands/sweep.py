import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from escalation.sweep import sweep


class Command(BaseCommand):
    help = "Run the deadline sweep once, or every --interval seconds with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=int, default=300)

    def handle(self, *args, loop, interval, **options):
        while True:
            report = sweep()
            self.stdout.write(f"{report.at:%Y-%m-%d %H:%M:%S} sweep: {report}")
            if not loop:
                return
            time.sleep(interval)
            # A long-running loop must not keep a connection the database has dropped.
            close_old_connections()
