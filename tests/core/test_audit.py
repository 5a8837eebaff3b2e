"""The audit record is append-only: the application cannot change or delete a line of it."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from core.audit import audit_record
from core.models import AuditEvent


@pytest.fixture
def event(people, directive):
    return AuditEvent.objects.filter(verb="directive.publish").latest("pk")


def test_an_audit_line_cannot_be_changed(event):
    event.note = "sửa lại"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).note != "sửa lại"


def test_an_audit_line_cannot_be_deleted(event):
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_new_line_is_written(people, directive):
    before = AuditEvent.objects.count()
    audit_record(actor=people["reviewer"], verb="test.note", obj=directive, note="ghi thêm")
    assert AuditEvent.objects.count() == before + 1


def test_the_admin_shows_the_record_read_only(event, people):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = people["reviewer"]
    request.user.is_superuser = True
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
