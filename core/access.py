"""The one answer to "may user U do action A on object O".

Each app registers, per model, a rule ``rule(user, action) -> Q`` in its ``access.py``; an empty
``Q()`` means every row, ``Q(pk__in=[])`` none. The Q must select rows without duplicating them
(use ``__in`` subqueries, not joins over to-many relations). ``restrict`` adds the explicit
object grants held by django-guardian, so a delegated viewer or an inspection team sees what
membership alone would not show. ``can`` is "is the object
in that queryset", so a list, a detail page and an action can never disagree.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Model, Q, QuerySet
from django.db.models.functions import Cast

from .exceptions import Forbidden, NotFound

Rule = Callable[..., Q]
ModelRule = Callable[..., bool]
_rules: dict[type[Model], Rule] = {}
_model_rules: dict[type[Model], ModelRule] = {}

VIEW = "view"


def register(model: type[Model]) -> Callable[[Rule], Rule]:
    """Register the access rule of ``model`` (used as a decorator in each app's access.py)."""

    def decorator(rule: Rule) -> Rule:
        if model in _rules:
            raise RuntimeError(f"An access rule for {model.__name__} is already registered.")
        _rules[model] = rule
        return rule

    return decorator


def register_model(model: type[Model]) -> Callable[[ModelRule], ModelRule]:
    """Register the rule for actions on ``model`` as a whole, before any row exists ("may this
    user register a directive?"): ``rule(user, action) -> bool``."""

    def decorator(rule: ModelRule) -> ModelRule:
        if model in _model_rules:
            raise RuntimeError(f"A model rule for {model.__name__} is already registered.")
        _model_rules[model] = rule
        return rule

    return decorator


def may(user, action: str, model: type[Model]) -> bool:
    """True when ``user`` may ``action`` on ``model`` as a whole (see ``register_model``)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    rule = _model_rules.get(model)
    return bool(rule and rule(user, action))


def require_may(user, action: str, model: type[Model]) -> None:
    """Raise Forbidden unless ``may(user, action, model)``."""
    if not may(user, action, model):
        raise Forbidden()


def _rule_for(model: type[Model]) -> Rule:
    for klass in model.__mro__:
        if klass in _rules:
            return _rules[klass]
    raise LookupError(f"No access rule is registered for {model.__name__}.")


def _granted(user, action: str, model: type[Model]) -> Q:
    """Rows granted explicitly to the user or the user's groups through django-guardian."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    codename = f"{action}_{model._meta.model_name}"
    by_user = UserObjectPermission.objects.filter(
        user_id=user.pk, content_type=content_type, permission__codename=codename
    )
    by_group = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, permission__codename=codename
    )
    as_pk = Cast("object_pk", BigIntegerField())
    return Q(pk__in=by_user.annotate(o=as_pk).values("o")) | Q(
        pk__in=by_group.annotate(o=as_pk).values("o")
    )


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` on which ``user`` may perform ``action``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    model = queryset.model
    allowed = _rule_for(model)(user, action)
    if not allowed:
        # An empty Q() means "every row" (OR-ing it with the grants would drop it).
        return queryset
    return queryset.filter(allowed | _granted(user, action, model))


def can(user, action: str, obj: Model) -> bool:
    """True when ``obj`` is among the rows ``user`` may ``action``."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def require(user, action: str, obj: Model) -> None:
    """Raise unless ``user`` may ``action`` on ``obj``: not visible → NotFound, else Forbidden."""
    if can(user, action, obj):
        return
    if action != VIEW and can(user, VIEW, obj):
        raise Forbidden()
    raise NotFound()
