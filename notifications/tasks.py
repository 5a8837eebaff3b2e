from celery import shared_task

from .services import digests_send


@shared_task(name="notifications.digests")
def digests_task() -> int:
    return digests_send()
