"""Writing notices and sending them by e-mail, each at most once.

Mail is claimed in a transaction (``emailed_at`` is set, and for digests a ``Digest`` row is
created under a unique constraint) and sent after the commit: two senders at once cannot both
claim the same notice, and a notice is never mailed twice.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connections, router, transaction
from django.db.models import DateTimeField, Model, OuterRef, Subquery, Value
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require
from core.audit import audit_record
from core.exceptions import InvalidInput
from core.sql import insert_select
from core.text import shorten
from core.time import local_date

from .models import Category, Delivery, Digest, Notice, NoticePreference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    recipient_id: int
    key: str
    category: str
    title: str
    url: str = ""
    urgent: bool = False


def _delivery(urgent: bool) -> str:
    """The sender's default: urgent notices are mailed at once, the rest go in the digest."""
    return Delivery.NOW if urgent else Delivery.DIGEST


def _preferences_apply(categories, at: datetime) -> None:
    """Each person's choice for a category (``NoticePreference``) overrides the sender's
    default on the notices just written; one UPDATE per category, over the people who chose."""
    for category in set(categories):
        chosen = NoticePreference.objects.filter(category=category)
        Notice.objects.filter(
            recipient_id__in=chosen.values("user_id"),
            category=category,
            created_at=at,
            emailed_at__isnull=True,
        ).update(
            delivery=Subquery(
                chosen.filter(user_id=OuterRef("recipient_id")).values("delivery")[:1]
            )
        )


def _deliveries(rows: list[Notice]) -> None:
    """Each person's choice for a category (``NoticePreference``) overrides the sender's
    default on the rows about to be written: one SELECT of the choices of these people (of
    everyone who chose, for a crowd) for these categories."""
    people = {r.recipient_id for r in rows}
    chosen = NoticePreference.objects.filter(category__in={r.category for r in rows})
    if len(people) <= 500:
        chosen = chosen.filter(user_id__in=people)
    choice = {(u, c): d for u, c, d in chosen.values_list("user_id", "category", "delivery")}
    for row in rows:
        row.delivery = choice.get((row.recipient_id, row.category), row.delivery)


def _insert_new(rows: list[Notice]) -> int:
    """INSERT the rows, skipping any (recipient, key) already there (ON CONFLICT DO NOTHING);
    returns how many went in, as the database counts them (no SELECT before or after)."""
    using = router.db_for_write(Notice)
    connection = connections[using]
    fields = [f for f in Notice._meta.local_concrete_fields if not f.primary_key]
    size = min(max(connection.ops.bulk_batch_size(fields, rows), 1), 2000)
    inserted = 0
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            batch: list[Model] = [*rows[i : i + size]]
            query = InsertQuery(Notice, on_conflict=OnConflict.IGNORE)
            query.insert_values(fields, batch)
            for sql, params in query.get_compiler(using=using).as_sql():
                cursor.execute(sql, params)
                inserted += max(cursor.rowcount, 0)
    return inserted


def _plan(notices: list[Planned], at: datetime) -> tuple[int, bool]:
    """``notices_plan``, also saying whether any notice of these is mailed at once."""
    rows = [
        Notice(
            recipient_id=n.recipient_id,
            key=n.key[:200],
            category=n.category,
            title=shorten(n.title, 500),
            url=n.url[:500],
            urgent=n.urgent,
            delivery=_delivery(n.urgent),
            created_at=at,
        )
        for n in notices
    ]
    if not rows:
        return 0, False
    _deliveries(rows)
    return _insert_new(rows), any(r.delivery == Delivery.NOW for r in rows)


def notices_plan(notices: list[Planned], *, at: datetime | None = None) -> int:
    """Insert notices, skipping any (recipient, key) already there; returns how many are new.
    Each reaches its recipient by mail as the recipient chose for its category. Two
    statements whatever the number (per batch of rows): the choices, then the INSERT."""
    return _plan(notices, at or timezone.now())[0]


def event_notify(
    *, recipients, key: str, category: str, title: str, url: str = "", at: datetime
) -> int:
    """Tell the people of one event (work handed to them, a decision on their request): each
    once, however often the event is replayed; in the app at once, and by mail at once, in
    the daily digest or not at all as each chose. Mail due at once leaves after the commit."""
    recipients = {r for r in recipients if r is not None}
    if not recipients:
        return 0
    new, mailed_now = _plan(
        [
            Planned(recipient_id=r, key=key, category=category, title=title, url=url)
            for r in sorted(recipients)
        ],
        at,
    )
    if new and mailed_now:
        transaction.on_commit(urgent_send)
    return new


NOTICE_COLUMNS = [
    "recipient_id",
    "key",
    "category",
    "title",
    "url",
    "urgent",
    "delivery",
    "created_at",
]


def notices_insert_from(
    queryset, *, recipient, key, category: str, title, url, urgent: bool, at: datetime
) -> int:
    """One notice per row of ``queryset`` in a single INSERT … SELECT, skipping any
    (recipient, key) already there; ``recipient``, ``key``, ``title`` and ``url`` are field
    paths or expressions over the queryset's model. Returns how many are new."""
    rows = queryset.order_by().values_list(
        recipient,
        key,
        Value(category),
        title,
        url,
        Value(urgent),
        Value(_delivery(urgent)),
        Value(at, output_field=DateTimeField()),
    )
    new = insert_select(Notice, NOTICE_COLUMNS, rows, ["recipient_id", "key"])
    if new:
        _preferences_apply([category], at)
    return new


def events_notify_from(queryset, *, recipient, key, category: str, title, url, at: datetime) -> int:
    """``event_notify`` for many events at once, set-based: one notice per row of ``queryset``
    (``notices_insert_from``: one INSERT … SELECT whatever their number, each person's choice
    of delivery applied), and mail due at once leaves after the commit. Returns how many are
    new."""
    new = notices_insert_from(
        queryset,
        recipient=recipient,
        key=key,
        category=category,
        title=title,
        url=url,
        urgent=False,
        at=at,
    )
    if (
        new
        and Notice.objects.filter(
            category=category, created_at=at, delivery=Delivery.NOW, emailed_at=None
        ).exists()
    ):
        transaction.on_commit(urgent_send)
    return new


def notice_mark_read(*, actor, notice: Notice, at: datetime | None = None) -> Notice:
    """Mark one of the actor's own notices as read."""
    with transaction.atomic():
        require(actor, "mark_read", notice)
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=at or timezone.now()
        )
        notice.refresh_from_db()
        return notice


def notices_mark_all_read(*, actor, at: datetime | None = None) -> int:
    """Mark every unread notice of the actor as read."""
    with transaction.atomic():
        return (
            Notice.objects.restrict(actor, "mark_read")
            .filter(read_at__isnull=True)
            .update(read_at=at or timezone.now())
        )


DEFAULT = "default"  # no preference: as the sender marked it (urgent at once, else the digest)


def notice_preferences_set(*, actor, choices: dict[str, str]) -> dict[str, str]:
    """Set how notices of each category reach the actor by mail (``Delivery``, or ``DEFAULT``
    to follow the sender); categories not in ``choices`` are left as they are. Returns the
    preferences now held."""
    allowed = {*Delivery.values, DEFAULT}
    wrong = {c: v for c, v in choices.items() if c not in Category.values or v not in allowed}
    if wrong:
        raise InvalidInput(
            _("Choose one of the offered ways for each kind of notice."),
            code="invalid_preference",
            details={c: [_("Not a valid choice.")] for c in wrong},
        )
    with transaction.atomic():
        held = NoticePreference.objects.select_for_update().filter(user_id=actor.pk)
        before = dict(held.values_list("category", "delivery"))
        held.filter(category__in=[c for c, v in choices.items() if v == DEFAULT]).delete()
        for category, delivery in choices.items():
            if delivery != DEFAULT and before.get(category) != delivery:
                NoticePreference.objects.update_or_create(
                    user_id=actor.pk, category=category, defaults={"delivery": delivery}
                )
        after = dict(
            NoticePreference.objects.filter(user_id=actor.pk).values_list("category", "delivery")
        )
        if after != before:
            audit_record(actor=actor, verb="notice.preferences", obj=actor, old=before, new=after)
        return after


def _mail(recipient, subject: str, notices: list[Notice]) -> None:
    if not recipient.email:
        return
    body = render_to_string(
        "notifications/email.txt",
        {"recipient": recipient, "notices": notices, "site_url": settings.SITE_URL},
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    except OSError:
        logger.exception("Could not send notices to %s", recipient.pk)


def _claim(queryset, at) -> dict:
    by_recipient = defaultdict(list)
    claimed = list(queryset.select_for_update().select_related("recipient").order_by("pk"))
    Notice.objects.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=at)
    for notice in claimed:
        by_recipient[notice.recipient].append(notice)
    return by_recipient


def urgent_send(*, at: datetime | None = None) -> int:
    """Mail the notices due at once and not yet mailed: one message per person."""
    at = at or timezone.now()
    with transaction.atomic():
        batches = _claim(Notice.objects.filter(delivery=Delivery.NOW, emailed_at__isnull=True), at)
        for recipient, notices in batches.items():
            subject = _("[Đôn đốc] {n} new notices").format(n=len(notices))
            transaction.on_commit(partial(_mail, recipient, subject, notices))
    return sum(len(n) for n in batches.values())


def digests_send(*, at: datetime | None = None) -> int:
    """Send each person one daily digest of everything new; at most one per person per day."""
    at = at or timezone.now()
    day = local_date(at)
    sent = 0
    outbox = Notice.objects.filter(
        delivery=Delivery.DIGEST, emailed_at__isnull=True, created_at__lte=at
    )
    pending = outbox.values_list("recipient_id", flat=True).distinct()
    for recipient_id in list(pending):
        try:
            with transaction.atomic():
                Digest.objects.create(
                    recipient_id=recipient_id, day=day, sent_at=at, notice_count=0
                )
                batches = _claim(outbox.filter(recipient_id=recipient_id), at)
                for recipient, notices in batches.items():
                    Digest.objects.filter(recipient=recipient, day=day).update(
                        notice_count=len(notices)
                    )
                    subject = _("[Đôn đốc] Digest of {day:%d/%m/%Y}: {n} notices").format(
                        day=day, n=len(notices)
                    )
                    transaction.on_commit(partial(_mail, recipient, subject, notices))
                    sent += 1
        except IntegrityError:
            continue  # today's digest for this person is already out
    return sent
