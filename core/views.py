"""Scoped base views: the queryset is restricted before any handler runs (NetBox style)."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from . import access
from .exceptions import DomainError

if TYPE_CHECKING:
    # The mixins are only ever combined with a View: let the type checker see its attributes.
    _ViewMixinBase = View
else:
    _ViewMixinBase = object


class DomainErrorMixin(_ViewMixinBase):
    """Render a DomainError as a page with its status, in the user's language."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "core/error.html", {"error": exc}, status=exc.status)


class ScopedMixin(LoginRequiredMixin, DomainErrorMixin):
    """Sign-in required; ``get_queryset`` only ever returns rows the user may ``action``."""

    action = access.VIEW
    queryset: QuerySet[Any] | None = None

    def get_base_queryset(self):
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset.")
        return self.queryset.all()

    def get_queryset(self):
        return access.restrict(self.get_base_queryset(), self.request.user, self.action)


def chosen_sort(value, sorts) -> str:
    """The key of ``sorts`` that ``value`` (``?sort=``) names, or the first key (the default)
    when it names none: an unknown order is never an error."""
    return value if value in sorts else next(iter(sorts))


class SortableMixin(_ViewMixinBase):
    """A list in one of the orders it offers (``?sort=``): ``sorts`` maps a key to its label
    and its ordering, the first being the default; an empty ordering keeps the selector's
    own. Offer only orders an index serves (a big list sorted otherwise sorts every row)."""

    sorts: dict[str, tuple[Any, tuple[Any, ...]]] = {}

    @property
    def sort(self) -> str:
        return chosen_sort(self.request.GET.get("sort"), self.sorts)

    def get_ordering(self):
        return self.sorts[self.sort][1] if self.sorts else None

    def sorted_rows(self, rows):
        """``rows`` (the selector's, filtered) in the chosen order."""
        ordering = self.get_ordering()
        return rows.order_by(*ordering) if ordering else rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        if self.sorts:
            context["sort"] = self.sort
            context["sorts"] = [(key, label) for key, (label, _o) in self.sorts.items()]
        return context


class ScopedListView(SortableMixin, ScopedMixin, ListView):
    """A paginated list of what the user may see, filtered by the list's FilterSet, in one of
    its ``sorts`` (``SortableMixin``).

    Override ``select()`` to read through a selector (which must itself be scoped).
    """

    paginate_by = 50
    filterset_class = None

    def select(self):
        return super().get_queryset()

    def get_queryset(self):
        queryset = self.select()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            queryset = self.filterset.qs
        return self.sorted_rows(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class ScopedDetailView(ScopedMixin, DetailView):
    """Not visible → 404; visible but ``action`` not allowed → 403."""

    def get_object(self, queryset=None):
        visible = access.restrict(self.get_base_queryset(), self.request.user, access.VIEW)
        obj = super().get_object(queryset=visible)
        access.require(self.request.user, self.action, obj)
        return obj


def selected(select, /, *, missing: type[Exception] = Http404, **kwargs):
    """What a scoped selector ``select(**kwargs)`` reads, or ``missing`` (404) when the user
    may not see it (``DoesNotExist``); ``core.exceptions.NotFound`` where a view answers its
    errors itself (as JSON)."""
    try:
        return select(**kwargs)
    except ObjectDoesNotExist as exc:
        raise missing from exc


class SelectorDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    """A page about one object read through a scoped selector ``select(user=, pk=)``.

    Not visible → 404; visible but ``action`` not allowed → 403.
    """

    action = access.VIEW
    context_object_name = "object"

    def select(self, *, user, pk):
        raise ImproperlyConfigured(f"{type(self).__name__} needs select().")

    def get_object(self):
        obj = selected(self.select, user=self.request.user, pk=self.kwargs["pk"])
        if self.action != access.VIEW:  # read through a scoped selector: visible already
            access.require(self.request.user, self.action, obj)
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.context_object_name] = self.object
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)


class ServiceFormView(LoginRequiredMixin, DomainErrorMixin, FormView):
    """Parse a form, call a service in ``perform(form)``, then redirect with a message.

    A DomainError becomes a form error, so nothing the user typed is lost.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.load()
        except DomainError as exc:
            return render(request, "core/error.html", {"error": exc}, status=exc.status)
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        """Read the objects the form is about (after sign-in has been checked)."""

    def perform(self, form):
        raise ImproperlyConfigured(f"{type(self).__name__} needs perform().")

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return self.render_to_response(self.get_context_data(form=form), status=exc.status)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SignedInTemplateView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    """A page about the signed-in user only (profile, inbox): no object to scope."""


class ScopedActionView(ScopedMixin, View):
    """POST one action on one visible object: not visible → 404, ``action`` not allowed → 403;
    ``perform(obj)`` calls the service and returns the response (a DomainError is a page)."""

    http_method_names = ["post"]

    def get_object(self):
        visible = access.restrict(self.get_base_queryset(), self.request.user, access.VIEW)
        obj = visible.filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404
        access.require(self.request.user, self.action, obj)
        return obj

    def post(self, request, *args, **kwargs):
        return self.perform(self.get_object())

    def perform(self, obj):
        raise ImproperlyConfigured(f"{type(self).__name__} needs perform().")


class SignedInActionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST an action about the signed-in user only (mark all my notices read): no object to
    scope; the service checks what it touches."""

    http_method_names = ["post"]


API_PREFIX = "/api/"


def not_found(request, exception=None):
    """A URL that matches nothing: under /api/ the API's error shape, elsewhere the site's page
    (``handler404``; the API's own views answer their 404s through ``core.api``)."""
    from django.http import JsonResponse
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """An unexpected failure: under /api/ the API's error shape, elsewhere the site's page
    (``handler500``)."""
    from django.http import JsonResponse
    from django.utils.translation import gettext as _
    from django.views.defaults import server_error as page

    if request.path_info.startswith(API_PREFIX):
        message = _("Something went wrong on the server. Try again later.")
        return JsonResponse({"code": "server_error", "message": message}, status=500)
    return page(request)
