"""Celery tasks (production): the same functions the management commands call."""

from celery import shared_task

from .sweep import sweep


@shared_task(name="escalation.sweep")
def sweep_task() -> str:
    return str(sweep())
