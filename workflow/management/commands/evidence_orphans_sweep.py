from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from workflow.evidence import orphans_find, orphans_remove


class Command(BaseCommand):
    help = (
        "Delete the files of the evidence folders that no row names (left by a request "
        "killed before its commit), once older than --older-than-hours. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=24,
            help="leave files younger than this, uploads may still be in flight (default 24)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be removed, remove nothing"
        )

    def handle(self, *args, older_than_hours, dry_run, **options):
        if older_than_hours < 0:
            raise CommandError("--older-than-hours must be 0 or more.")
        found = orphans_find(older_than=timedelta(hours=older_than_hours))
        removed = found if dry_run else orphans_remove(found)
        verb = "would remove" if dry_run else "removed"
        for orphan in removed:
            self.stdout.write(
                f"{verb} {orphan.name} ({orphan.size} bytes, "
                f"written {orphan.modified:%d/%m/%Y %H:%M})"
            )
        total = sum(orphan.size for orphan in removed)
        self.stdout.write(
            f"{len(removed)} orphan files {'would be removed' if dry_run else 'removed'} "
            f"({total / 1_048_576:.1f} MB), older than {older_than_hours:g} hours."
        )
