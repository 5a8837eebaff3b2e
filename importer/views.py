"""The import pages: paste or upload → review the proposed breakdown → confirm."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agencies.choices import Collective
from agencies.selectors import agency_names_by_code
from core import access
from core.exceptions import DomainError
from core.throttle import throttle_check
from core.views import SignedInTemplateView
from workflow.choices import AssignmentRole, DirectiveAction, Modality, Period
from workflow.models import Directive

from . import services
from .confirm import recurrence_wording
from .forms import ConfirmImportForm, ImportForm


def _highlighted(text: str, spans) -> list[dict]:
    """``text`` cut into pieces, those inside ``spans`` ((start, end, kind)) marked."""
    pieces, at = [], 0
    for start, end, kind in sorted(s for s in spans if s[0] is not None):
        if start < at:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "kind": ""})
        pieces.append({"text": text[start:end], "kind": kind})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "kind": ""})
    return pieces


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _choice_label(choices, value) -> str:
    return choices(value).label if value in choices.values else (value or "")


class ImportView(SignedInTemplateView):
    """Paste or upload a directive → review the proposed breakdown → confirm."""

    template_name = "importer/import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm(user=self.request.user))
        return context

    def get(self, request, *args, **kwargs):
        if not access.may(request.user, DirectiveAction.ADD, Directive):
            raise Http404
        return super().get(request, *args, **kwargs)

    def post(self, request):
        # Who may not register a directive is refused before anything sent is read.
        access.require_may(request.user, DirectiveAction.ADD, Directive)
        throttle_check(request, "import")
        if "document" in request.POST:
            return self._confirm(request)
        form = ImportForm(data=request.POST, files=request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            document = services.import_parse(
                actor=request.user,
                text=data["text"],
                upload=data["file"],
                on=data["on"],
                issuer=data["issuer"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return self.render_to_response(self.get_context_data(form=form), status=exc.status)
        return self._review(document, ConfirmImportForm(initial={"document": document}))

    def _review(self, document, confirm, status=200):
        items = []
        on = _day((document.get("directive") or {}).get("date"))
        codes = {a.get("matched") for i in document.get("items", []) for a in i.get("agencies", [])}
        names = agency_names_by_code(codes=[c for c in codes if c], on=on)
        for item in document.get("items", []):
            spans = [
                (a["span"][0], a["span"][1], "agency")
                for a in item.get("agencies", [])
                if a.get("span")
            ]
            spans += [
                (i["span"][0], i["span"][1], "indicator")
                for i in item.get("indicators", [])
                if i.get("span")
            ]
            for key in ("deadline", "recurrence"):
                if item.get(key) and item[key].get("span"):
                    spans.append((item[key]["span"][0], item[key]["span"][1], key))
            agencies = [
                {
                    **a,
                    "name": names.get(a.get("matched") or "", a.get("matched")),
                    "collective_label": _choice_label(Collective, a.get("collective")),
                    "role_label": _choice_label(AssignmentRole, a.get("role")),
                    "modality_label": _choice_label(Modality, a.get("modality")),
                }
                for a in item.get("agencies", [])
            ]
            periods = (item.get("recurrence") or {}).get("periods") or []
            items.append(
                {
                    "item": item,
                    "agencies": agencies,
                    "pieces": _highlighted(item.get("text") or "", spans),
                    "deadline_day": _day((item.get("deadline") or {}).get("date")),
                    "recurrences": [
                        recurrence_wording(p, on) for p in periods if p in Period.values and on
                    ],
                }
            )
        return render(
            self.request,
            "importer/import_review.html",
            {"document": document, "items": items, "confirm": confirm},
            status=status,
        )

    def _confirm(self, request):
        confirm = ConfirmImportForm(data=request.POST)
        if not confirm.is_valid():
            return self._review({}, confirm, status=400)
        document = confirm.cleaned_data["document"]
        try:
            directive = services.import_confirm(actor=request.user, document=document)
        except DomainError as exc:
            _add_errors(confirm, exc)
            if exc.code == "invalid_document":  # not a shape the review can show
                document = {}
            return self._review(document, confirm, status=exc.status)
        messages.success(request, _("The directive was created from the text."))
        return redirect("workflow:directive", pk=directive.pk)


_ERRORS_SHOWN = 20


def _add_errors(form, exc: DomainError) -> None:
    """The refusal on the form: its message or, for a breakdown with several problems
    (``importer.checks``), one line per problem (item and agency or assignment), the first
    ``_ERRORS_SHOWN`` of them."""
    problems = []
    if exc.code in ("invalid_document", "invalid_breakdown"):
        problems = [str(m) for found in exc.details.values() for m in found]
    if len(problems) <= 1:
        form.add_error(None, str(exc.message))
        return
    form.add_error(None, _("The breakdown cannot be confirmed; correct these problems:"))
    for problem in problems[:_ERRORS_SHOWN]:
        form.add_error(None, problem)
    if len(problems) > _ERRORS_SHOWN:
        form.add_error(None, _("(and {count} more)").format(count=len(problems) - _ERRORS_SHOWN))
