from django.db import models

from . import access


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to scope itself to what a user may see or do."""

    def restrict(self, user, action: str = access.VIEW):
        return access.restrict(self, user, action)


# The manager of every model whose rows are scoped by the access layer.
RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
