"""``manage.py generate_bench_data``: a province at scale in an empty, migrated database (the
shared data generator of the benchmarks, bench/dataset.py)."""

import resource
import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench import dataset


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dataset.VN)


class Command(BaseCommand):
    help = (
        "Fill an empty database with a province of generated work: agencies, people, "
        "directives, assignments in every state with their viewflow processes and tasks, "
        "reports, extension requests, and the escalations of one sweep."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--assignments", type=int, default=100_000, help="assignments (100,000)"
        )
        parser.add_argument(
            "--agencies",
            type=int,
            default=dataset.DEFAULT_AGENCIES,
            help=f"agencies that receive work and have people ({dataset.DEFAULT_AGENCIES}: "
            "the 34 of the reference file and synthetic communes for the rest)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="the moment the data set is built at, ISO 8601 (now); the same seed and "
            "moment give the same data",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="a password for every generated person (none: sign-in by password is off)",
        )

    def handle(self, *args, **options):
        from workflow.models import Assignment

        if options["assignments"] < 0 or options["agencies"] < 1:
            raise CommandError("--assignments must be ≥ 0 and --agencies ≥ 1.")
        if Assignment.objects.exists():
            raise CommandError(
                "The database already holds assignments: generate into an empty, migrated "
                "database (manage.py flush, or a new one)."
            )
        now = options["now"] or timezone.now()
        started = time.perf_counter()
        built = dataset.Built()
        dataset.build(
            options["assignments"],
            now=now,
            seed=options["seed"],
            agencies=options["agencies"],
            password=options["password"],
            say=lambda message, since: self.stdout.write(
                f"  {message} ({time.perf_counter() - since:.1f} s)"
            ),
            built=built,
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"{built.assignments:,} assignments for {built.agencies:,} agencies in "
                f"{time.perf_counter() - started:.0f} s (peak RSS {peak:.0f} MiB)"
            )
        )
