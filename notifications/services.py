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
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Value
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require
from core.sql import insert_select
from core.time import local_date

from .models import Digest, Notice

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    recipient_id: int
    key: str
    category: str
    title: str
    url: str = ""
    urgent: bool = False


def notices_plan(notices: list[Planned], *, at: datetime | None = None) -> int:
    """Insert notices, skipping any (recipient, key) already there; returns how many are new."""
    at = at or timezone.now()
    rows = [
        Notice(
            recipient_id=n.recipient_id,
            key=n.key[:200],
            category=n.category,
            title=n.title[:500],
            url=n.url[:500],
            urgent=n.urgent,
            created_at=at,
        )
        for n in notices
    ]
    if not rows:
        return 0
    # Counting only these recipients' rows with these keys uses the unique index; counting
    # the whole table would grow with every notice ever sent.
    mine = Notice.objects.filter(
        recipient_id__in={r.recipient_id for r in rows}, key__in={r.key for r in rows}
    )
    before = mine.count()
    Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return mine.count() - before


NOTICE_COLUMNS = ["recipient_id", "key", "category", "title", "url", "urgent", "created_at"]


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
        Value(at, output_field=DateTimeField()),
    )
    return insert_select(Notice, NOTICE_COLUMNS, rows, ["recipient_id", "key"])


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
    """Mail the urgent notices not yet mailed: one message per person."""
    at = at or timezone.now()
    with transaction.atomic():
        batches = _claim(Notice.objects.filter(urgent=True, emailed_at__isnull=True), at)
        for recipient, notices in batches.items():
            subject = _("[Đôn đốc] {n} urgent notices").format(n=len(notices))
            transaction.on_commit(partial(_mail, recipient, subject, notices))
    return sum(len(n) for n in batches.values())


def digests_send(*, at: datetime | None = None) -> int:
    """Send each person one daily digest of everything new; at most one per person per day."""
    at = at or timezone.now()
    day = local_date(at)
    sent = 0
    pending = (
        Notice.objects.filter(emailed_at__isnull=True, created_at__lte=at)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in list(pending):
        try:
            with transaction.atomic():
                Digest.objects.create(
                    recipient_id=recipient_id, day=day, sent_at=at, notice_count=0
                )
                batches = _claim(
                    Notice.objects.filter(
                        recipient_id=recipient_id, emailed_at__isnull=True, created_at__lte=at
                    ),
                    at,
                )
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
