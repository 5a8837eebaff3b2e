from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.datafile import DataFileError
from agencies.services import agencies_load

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "quang_tri.yaml"


class Command(BaseCommand):
    help = "Load the agency reference data file (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        try:
            report = agencies_load(actor=None, text=text)
        except DataFileError as exc:
            raise CommandError(
                _("{path}, {error} — nothing was changed.").format(path=path, error=exc)
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {report}"))
