"""Celery for deployments with more than one machine: workers and beat on Redis.

The beat schedule runs the same deadline sweep as `manage.py sweep` every five minutes and the
daily digest at 07:00 Vietnam time. Without Celery, `deploy/systemd/` runs the commands.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("dondoc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "deadline-sweep": {"task": "escalation.sweep", "schedule": 300.0},
    "daily-digest": {"task": "notifications.digests", "schedule": crontab(hour=7, minute=0)},
}
