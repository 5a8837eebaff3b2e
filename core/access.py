"""The one answer to "may user U do action A on object O".

Each app registers, per model, a rule ``rule(user, action) -> Q`` in its ``access.py``; an empty
``Q()`` means every row, ``Q(pk__in=[])`` none. The Q must select rows without duplicating them
(use ``__in`` subqueries, not joins over to-many relations). ``restrict`` adds the explicit
object grants held by django-guardian, so a delegated viewer or an inspection team sees what
membership alone would not show (unless the rule read them itself: ``Complete``). A rule of a
table that grows must leave its conditions to the indexes: no subquery OR'ed in as a filter
(``among_rows``), nothing that only the rows can tell (an EXISTS that says "every row").
``can`` is "is the object in that queryset", so a list, a detail page and an action can never
disagree; ``require_get`` is the same test made by the query that reads (and locks) the row a
service changes.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BigIntegerField,
    BooleanField,
    ExpressionWrapper,
    Model,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast

from .exceptions import Forbidden, NotFound
from .sql import among_rows

Rule = Callable[..., Q]
ModelRule = Callable[..., bool]
_rules: dict[type[Model], Rule] = {}
_model_rules: dict[type[Model], ModelRule] = {}

VIEW = "view"
NO_ROWS = Q(pk__in=[])


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


class Complete(Q):
    """A rule's condition that already holds the rows granted through django-guardian (a rule
    that reads them itself, see ``granted_parts``): ``restrict`` adds nothing to it."""


def granted_parts(user, action: str, model: type[Model]) -> list[QuerySet]:
    """The primary keys of the rows of ``model`` granted explicitly to the user and to the
    user's groups through django-guardian: two querysets of one column, ``o``."""
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
    return [q.order_by().annotate(o=as_pk).values("o") for q in (by_user, by_group)]


def _granted(user, action: str, model: type[Model]) -> Q:
    """Rows granted explicitly to the user or the user's groups through django-guardian (each
    an indexable condition on the primary key: see ``among_rows``); nothing at all when the
    request already knows the user holds no grant (``holds_grants``)."""
    if not holds_grants(user):
        return NO_ROWS
    by_user, by_group = granted_parts(user, action, model)
    return among_rows("pk", by_user) | among_rows("pk", by_group)


# What a request learns about its user once (``remember``): nothing outside a request.
_memo: ContextVar[dict | None] = ContextVar("core_access_memo", default=None)


@contextmanager
def memo() -> Iterator[None]:
    """Within the block — one request (``core.middleware.AccessMemoMiddleware``) — what the
    rules read about the signed-in person (their memberships, their grants) is read once, not
    once per list, form and check of the page. Outside it (services called by a command, the
    tests) every rule reads afresh. Nothing in the application grants or ends a membership or
    an object permission for the person it is serving in the same request and then reads
    through the rules for them again before it answers (it redirects)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def recall(key):
    """What ``memo()`` holds for ``key`` (None when nothing, or outside a request)."""
    store = _memo.get()
    return None if store is None else store.get(key)


def learn(key, value) -> None:
    """Keep ``value`` for ``key`` within ``memo()`` (nothing outside a request)."""
    store = _memo.get()
    if store is not None:
        store[key] = value


def remember(key, compute):
    """``compute()``, once per ``key`` within ``memo()``; every time outside it."""
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def grant_probes(user) -> list[QuerySet]:
    """The object permissions of django-guardian held by the user and by their groups (for
    ``holds_grants``, or to be read with another query of the request — a ``distinct()``
    constant row — and told with ``learn_grants``)."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    return [
        UserObjectPermission.objects.filter(user_id=user.pk).order_by(),
        GroupObjectPermission.objects.filter(group__user=user).order_by(),
    ]


def learn_grants(user, holds: bool) -> None:
    """Tell ``holds_grants`` what another query of the request read with ``grant_probes``."""
    store = _memo.get()
    if store is not None:
        store[("grants", user.pk)] = holds


def holds_grants(user) -> bool:
    """Whether the user or one of their groups holds any object permission of
    django-guardian; only asked within ``memo()`` (outside, True: the grants are looked up in
    the rows' query as before). Few people hold any: for the others a restricted query
    carries no grant condition at all, which is what lets its rule use the indexes alone."""
    if _memo.get() is None:
        return True

    def read() -> bool:
        by_user, by_group = grant_probes(user)
        return by_user.values("pk").union(by_group.values("pk")).exists()

    return remember(("grants", user.pk), read)


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
    if isinstance(allowed, Complete) or not holds_grants(user):
        return queryset.filter(allowed)
    return queryset.filter(allowed | _granted(user, action, model))


def _tests(user, actions, model) -> dict:
    """One boolean expression per action: the row is among those ``restrict`` leaves."""
    tests = {}
    for n, action in enumerate(sorted(set(actions))):
        condition = _rule_for(model)(user, action)
        if condition and not isinstance(condition, Complete) and holds_grants(user):
            condition = condition | _granted(user, action, model)
        # An empty Q() is every row: true for the row (the query reads only rows that exist).
        test = condition if condition else ~Q(pk=None)
        tests[f"_may_{n}"] = (action, ExpressionWrapper(test, output_field=BooleanField()))
    return tests


def with_allowed(queryset: QuerySet, user, actions) -> QuerySet:
    """``queryset`` whose rows also tell which of ``actions`` ``user`` may perform on each, as
    ``can`` would (read back by ``allowed``): a page reads its object and the steps it offers
    with one query."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
        return queryset
    tests = _tests(user, actions, queryset.model)
    marker = Value(",".join(f"{user.pk}:{a}:{k}" for k, (a, _t) in tests.items()))
    return queryset.annotate(**{k: t for k, (_a, t) in tests.items()}, _may_keys=marker)


def allowed(user, actions, obj: Model) -> set[str]:
    """The ``actions`` that ``user`` may perform on ``obj``, each answered as ``can`` answers
    it: read from the row when it was read ``with_allowed`` for them, else all in one query
    (a page that offers several steps asks once, not once per step)."""
    actions = set(actions)
    if not actions or user is None or not user.is_authenticated or not user.is_active:
        return set()
    model = type(obj)
    rows = model._default_manager.filter(pk=obj.pk)
    if user.is_superuser:
        return actions if rows.exists() else set()
    known = {}
    for key in (getattr(obj, "_may_keys", "") or "").split(","):
        pk, _sep, rest = key.partition(":")
        action, _sep, name = rest.partition(":")
        if pk == str(user.pk) and hasattr(obj, name):
            known[action] = bool(getattr(obj, name))
    if actions <= known.keys():
        return {action for action in actions if known[action]}
    tests = _tests(user, actions, model)
    row = rows.annotate(**{k: t for k, (_a, t) in tests.items()}).values(*tests).first()
    return {action for k, (action, _t) in tests.items() if row and row[k]}


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


def require_get(queryset: QuerySet, user, action: str, pk) -> Model:
    """The row ``pk`` of ``queryset`` when ``user`` may ``action`` it, read and checked by one
    query (with whatever ``queryset`` asks for: a row lock, related rows); else what
    ``require`` raises: not visible → NotFound, else Forbidden.

    For a service that locks the row it is about to change: the row it checks is the row it
    locks, and the check costs no statement of its own (the rule is ``restrict``'s, so the
    lists, the pages and the services still cannot disagree).
    """
    try:
        return restrict(queryset, user, action).get(pk=pk)
    except queryset.model.DoesNotExist:
        pass
    if action != VIEW and can(user, VIEW, queryset.model(pk=pk)):
        raise Forbidden()
    raise NotFound()
