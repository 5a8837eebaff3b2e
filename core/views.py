"""Scoped base views: the queryset is restricted before any handler runs (NetBox style)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.views.generic import DetailView, ListView, TemplateView

from . import access
from .exceptions import DomainError


class DomainErrorMixin:
    """Render a DomainError as a page with its status, in the user's language."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "core/error.html", {"error": exc}, status=exc.status)


class ScopedMixin(LoginRequiredMixin, DomainErrorMixin):
    """Sign-in required; ``get_queryset`` only ever returns rows the user may ``action``."""

    action = access.VIEW
    queryset = None

    def get_base_queryset(self):
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset.")
        return self.queryset.all()

    def get_queryset(self):
        return access.restrict(self.get_base_queryset(), self.request.user, self.action)


class ScopedListView(ScopedMixin, ListView):
    paginate_by = 50
    filterset_class = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            queryset = self.filterset.qs
        return queryset

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


class SignedInTemplateView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    """A page about the signed-in user only (profile, inbox): no object to scope."""
