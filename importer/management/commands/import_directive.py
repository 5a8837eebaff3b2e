"""Import a directive from its text: parse, show the breakdown, and (unless --dry-run) create it.

manage.py import_directive FILE [--dry-run] [--format table|json] [--date YYYY-MM-DD]
                           [--issuer CODE] [--actor USERNAME]
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.exceptions import DomainError, InvalidInput
from importer.normalise import read_file
from importer.parse import parse_text
from importer.services import import_confirm


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--date must be YYYY-MM-DD.")) from exc


def render_table(document: dict) -> str:
    head = document["directive"]
    lines = [
        f"{head['kind']} {head['number'] or '-'} {head['date']} {head['issuer'] or '?'}",
        head["title"],
        "",
    ]
    for item in document["items"]:
        lines.append(f"{item['number']:>6}  {item['text'][:90]}")
        for entry in item["agencies"]:
            who = entry["matched"] or (
                f"[{entry['collective']}]" if entry.get("collective") else "?"
            )
            lines.append(
                f"{'':8}{entry['role']:<12} {entry['modality']:<7} {who:<14} "
                f"{entry['confidence']:.2f}  {entry['text'][:60]}"
            )
        if item["deadline"]:
            d = item["deadline"]
            lines.append(f"{'':8}deadline     {d['policy']} {d['date'] or ''}  {d['text']}")
        if item["recurrence"]:
            r = item["recurrence"]
            lines.append(f"{'':8}recurrence   {', '.join(r['periods'])}  {r['text']}")
        for ind in item["indicators"]:
            lines.append(f"{'':8}indicator    {ind['target']}  {ind['text']}")
    for warning in document["warnings"]:
        lines.append(f"! {warning['code']} {warning.get('item') or ''} {warning['text']}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Parse a directive's text (.txt) into a breakdown and create it (or --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--date", help="date of issue (YYYY-MM-DD) when the text has none")
        parser.add_argument("--issuer", help="agency code of the issuer, when not detected")
        parser.add_argument("--actor", help="username of the reviewer creating the directive")

    def handle(self, *args, file, dry_run, format, date=None, issuer=None, actor=None, **options):
        from agencies.models import User

        on = _day(date) if date else None
        try:
            document = parse_text(read_file(file), on=on, issuer=issuer)
        except InvalidInput as exc:
            raise CommandError(str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            shown = {k: v for k, v in document.items() if k not in ("raw", "text")}
            self.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(document))
        if dry_run:
            return
        if not actor:
            raise CommandError(_("Give --actor USERNAME (a reviewer) to create the directive."))
        user = User.objects.filter(username=actor).first()
        if user is None:
            raise CommandError(_("No user {name}.").format(name=actor))
        try:
            directive = import_confirm(actor=user, document=document)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(
            _("Created directive #{pk} with {count} items.").format(
                pk=directive.pk, count=directive.items.count()
            )
        )
